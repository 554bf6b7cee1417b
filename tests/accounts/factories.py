import factory

from accounts.models import (
    DocumentType,
    Profession,
    ProfessionalRecord,
    ProviderRegistryRecord,
    User,
)
from entities.models import Municipality

PASSWORD = "Clave.Segura.2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a usable password (PASSWORD)."""

    class Meta:
        model = User

    document_type = DocumentType.CC
    document_number = factory.Sequence(lambda n: f"{52_000_000 + n}")
    first_name = factory.Faker("first_name", locale="es_CO")
    first_surname = factory.Faker("last_name", locale="es_CO")
    email = factory.Sequence(lambda n: f"persona{n}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)


class ProfessionalRecordFactory(factory.django.DjangoModelFactory):
    """An active médico in the RETHUS mirror."""

    class Meta:
        model = ProfessionalRecord

    document_type = DocumentType.CC
    document_number = factory.Sequence(lambda n: f"{71_000_000 + n}")
    first_name = factory.Faker("first_name", locale="es_CO")
    first_surname = factory.Faker("last_name", locale="es_CO")
    profession = Profession.MEDICINA
    registration_number = factory.Sequence(lambda n: f"RM-{n:06d}")
    active = True
    source = "rethus_csv"


class ProviderRegistryRecordFactory(factory.django.DjangoModelFactory):
    """An active IPS sede in the REPS mirror, in Medellín."""

    class Meta:
        model = ProviderRegistryRecord

    habilitation_code = factory.Sequence(lambda n: f"05001{n:05d}01")
    nit = factory.Sequence(lambda n: f"{890_000_000 + n}")
    name = factory.Sequence(lambda n: f"IPS de prueba {n}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="05001"))
    source = "reps_csv"
