"""Factories for the prescription module's tests (STYLE R15). Catalog rows are invented
test codes, so they carry source «demo»; get_or_create on the code lets a test ask for a
code the starter set may already hold."""

import factory

from prescriptions import models as m


class CatalogFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Entrada de prueba {n}")
    source = "demo"
    enabled = True


class DiagnosisFactory(CatalogFactory):
    class Meta:
        model = m.Diagnosis

    code = factory.Sequence(lambda n: f"U{n % 1000:03d}")  # U: codes reserved by WHO


class CupsProcedureFactory(CatalogFactory):
    class Meta:
        model = m.CupsProcedure

    code = factory.Sequence(lambda n: f"T{n % 100000:05d}")


class ActiveIngredientFactory(CatalogFactory):
    class Meta:
        model = m.ActiveIngredient

    code = factory.Sequence(lambda n: f"{90000 + n % 10000:05d}")
    name = factory.Sequence(lambda n: f"PRINCIPIO DE PRUEBA {n}")


class OrphanDiseaseFactory(CatalogFactory):
    class Meta:
        model = m.OrphanDisease

    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")


class PharmaceuticalFormFactory(CatalogFactory):
    class Meta:
        model = m.PharmaceuticalForm

    code = factory.Sequence(lambda n: f"COLFF{900 + n % 100:03d}")


class AdministrationRouteFactory(CatalogFactory):
    class Meta:
        model = m.AdministrationRoute

    code = factory.Sequence(lambda n: f"{900 + n % 100:03d}")


class MeasurementUnitFactory(CatalogFactory):
    class Meta:
        model = m.MeasurementUnit

    code = factory.Sequence(lambda n: f"{8000 + n % 1000:04d}")
    symbol = factory.Sequence(lambda n: f"u{n}")


class DoseUnitFactory(CatalogFactory):
    class Meta:
        model = m.DoseUnit

    code = factory.Sequence(lambda n: f"{8000 + n % 1000:04d}")
    symbol = factory.Sequence(lambda n: f"u{n}")


class PresentationUnitFactory(CatalogFactory):
    class Meta:
        model = m.PresentationUnit

    code = factory.Sequence(lambda n: f"{90 + n % 10:02d}")


class DeviceTypeFactory(CatalogFactory):
    class Meta:
        model = m.DeviceType

    code = factory.Sequence(lambda n: f"{900 + n % 100:03d}")


class NutritionalProductTypeFactory(CatalogFactory):
    class Meta:
        model = m.NutritionalProductType

    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")


class NutritionalFormFactory(CatalogFactory):
    class Meta:
        model = m.NutritionalForm

    code = factory.Sequence(lambda n: f"{90 + n % 10}")


class NutritionalProductFactory(CatalogFactory):
    class Meta:
        model = m.NutritionalProduct

    product_type = factory.SubFactory(NutritionalProductTypeFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.product_type.code}{n % 100:02d}")
    physical_state = "Polvo"
    form_name = "Lata"
    package_quantity = 400
    package_unit = "g"


class ComplementaryServiceFactory(CatalogFactory):
    class Meta:
        model = m.ComplementaryService

    code = factory.Sequence(lambda n: f"{900 + n % 100}")
    code_period = m.ComplementaryService.CodePeriod.FROM_2019_10


class UnirsIndicationFactory(CatalogFactory):
    class Meta:
        model = m.UnirsIndication

    code = factory.Sequence(lambda n: f"{900 + n % 100}")


class TransportTypeFactory(CatalogFactory):
    class Meta:
        model = m.TransportType

    code = factory.Sequence(lambda n: f"{n % 10}")


class CompanionRelationshipFactory(CatalogFactory):
    class Meta:
        model = m.CompanionRelationship

    code = factory.Sequence(lambda n: f"{n % 10}")


class NonDeliveryCauseFactory(CatalogFactory):
    class Meta:
        model = m.NonDeliveryCause

    code = factory.Sequence(lambda n: f"{90 + n % 10}")
    applies_to_medicine = True
    for_no_direccionamiento = True
    for_partial_delivery = False


# Patients and affiliation ---------------------------------------------------------------

import datetime  # noqa: E402

from entities.models import Municipality  # noqa: E402

from ..entities.factories import PayerCodeFactory  # noqa: E402


class PatientFactory(factory.django.DjangoModelFactory):
    """An adult with a cédula, living in Medellín (a capital the repository always ships)."""

    class Meta:
        model = m.Patient

    document_type = "CC"
    document_number = factory.Sequence(lambda n: f"{43_500_000 + n}")
    first_name = factory.Faker("first_name", locale="es_CO")
    first_surname = factory.Faker("last_name", locale="es_CO")
    birth_date = datetime.date(1970, 6, 15)
    sex = "F"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="05001"))
    address = "Calle 1 # 2-3"


class AffiliationFactory(factory.django.DjangoModelFactory):
    """An active contributivo affiliation loaded from BDUA."""

    class Meta:
        model = m.Affiliation

    patient = factory.SubFactory(PatientFactory)
    payer_code = factory.SubFactory(PayerCodeFactory)
    regime = factory.LazyAttribute(lambda o: o.payer_code.regime)
    active = True
    start_date = datetime.date(2020, 1, 1)
    source = "bdua_csv"
