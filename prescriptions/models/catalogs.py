"""MIPRES reference catalogs (DESIGN.md §3 prescriptions; research/mipres-domain.md §4).

Every MIPRES reference table carries an enabled flag, a version and a validity date, and
a code once published stays valid for the prescriptions that used it: rows are disabled,
never deleted (`on_delete=PROTECT` from every clinical line). They are loaded by
`prescriptions.catalogs` (the `import_catalog` command and the shipped starter set), and
changed in the admin only to enable or disable a code.

The small fixed code lists (ámbito, TipoMed, EstJM…) are enumerations in
`prescriptions.enums`, not tables.
"""

import re
import unicodedata

from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _


class CatalogSource(models.TextChoices):
    """Where a row came from. Official files replace starter and demo rows; a starter or
    demo load never overwrites an official row, and demo codes never pass as official."""

    OFFICIAL = "official", _("Oficial (archivo de MinSalud/SISPRO)")
    STARTER = "starter", _("Conjunto inicial verificado")
    DEMO = "demo", _("Demostración (inventado)")


# A source may replace the rows of its own rank or a lower one.
SOURCE_RANK = {CatalogSource.DEMO: 0, CatalogSource.STARTER: 1, CatalogSource.OFFICIAL: 2}


def fold(text: str) -> str:
    """Upper case without accents and with single spaces: the form names are searched in,
    so «diabetes» finds «DIABETES» and «puncion» finds «PUNCIÓN» on any database."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(ascii_text.upper().split())


def search_filters(text: str) -> tuple[Q, Q] | None:
    """(code filter, code-or-name filter) for `text`, or None when it holds no word.

    The code matches by prefix, dots, dashes and spaces ignored («E11.9» finds E119); the
    name must hold every word, in any case and with or without accents."""
    folded = fold(text)
    if not folded:
        return None
    by_code = Q(code__startswith=re.sub(r"[\s.\-]", "", folded))
    by_name = Q()
    for word in folded.split():
        by_name &= Q(search_name__contains=word)
    return by_code, by_code | by_name


class CatalogQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)

    def search(self, text: str):
        """Search-as-you-type by code prefix or by the words of the name (see
        `search_filters`): enabled entries first, then code matches, then by code.

        On PostgreSQL the code prefix uses the `_like` index Django gives unique
        CharFields, and the words use the trigram indexes migration 0001 puts on the
        diagnosis, CUPS and active-ingredient names."""
        filters = search_filters(text)
        if filters is None:
            return self.none()
        by_code, matches = filters
        return (
            self.filter(matches)
            .annotate(code_match=Case(When(by_code, then=Value(0)), default=Value(1)))
            .order_by("-enabled", "code_match", Length("code"), "code")
        )


class CatalogEntry(models.Model):
    """One code of a MIPRES reference table."""

    code = models.CharField(_("código"), max_length=20, unique=True)
    name = models.CharField(_("nombre"), max_length=300)
    # The name folded (upper case, no accents) for search; written by the importer.
    search_name = models.CharField(
        _("nombre para búsqueda"), max_length=300, editable=False, default=""
    )
    enabled = models.BooleanField(
        _("habilitado"),
        default=True,
        help_text=_("Un código deshabilitado sigue válido en las prescripciones que lo usaron."),
    )
    version = models.CharField(_("versión"), max_length=10, blank=True)
    valid_from = models.DateField(_("vigente desde"), null=True, blank=True)
    source = models.CharField(
        _("fuente"), max_length=10, choices=CatalogSource, default=CatalogSource.OFFICIAL
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=CatalogSource.values),
                name="%(app_label)s_%(class)s_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        # Keep the derived search column in step with the name for rows saved one by one
        # (tests, the admin); the importer writes it itself in its bulk upserts.
        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_demo(self) -> bool:
        return self.source == CatalogSource.DEMO


# Short numeric codes (1, 2, 10, 108) read best in numeric order.
NUMERIC_ORDER = [Length("code"), "code"]


class Diagnosis(CatalogEntry):
    """CIE-10, Colombian list: 4 characters without dot (E119, I10X)."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("diagnóstico (CIE-10)")
        verbose_name_plural = _("diagnósticos (CIE-10)")


class CupsProcedure(CatalogEntry):
    """CUPS: procedures, technology type P. 6 characters, digits or letters."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("procedimiento (CUPS)")
        verbose_name_plural = _("procedimientos (CUPS)")


class ActiveIngredient(CatalogEntry):
    """DCI (Denominación Común Internacional): 5 digits, `CodPriAct`."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("principio activo (DCI)")
        verbose_name_plural = _("principios activos (DCI)")


class OrphanDisease(CatalogEntry):
    """Orphan (rare) diseases: 4 digits, `CodEnfHuerfana`."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("enfermedad huérfana")
        verbose_name_plural = _("enfermedades huérfanas")


class PharmaceuticalForm(CatalogEntry):
    """Dosage forms, `CodFF`: NCI «C#####» or local «COLFF###» codes."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("forma farmacéutica")
        verbose_name_plural = _("formas farmacéuticas")


class AdministrationRoute(CatalogEntry):
    """Routes of administration of a medicine, `CodVA`: 3 digits."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("vía de administración")
        verbose_name_plural = _("vías de administración")


class MeasurementUnit(CatalogEntry):
    """Units of concentration and content of an active ingredient (`UMedConc`,
    `UMedCantCont`): 4 digits."""

    symbol = models.CharField(_("símbolo"), max_length=40, blank=True)

    class Meta(CatalogEntry.Meta):
        verbose_name = _("unidad de medida")
        verbose_name_plural = _("unidades de medida")


class DoseUnit(CatalogEntry):
    """Units a dose may be written in (`DosisUM`): 4 digits, a subset of the units of
    measure."""

    symbol = models.CharField(_("símbolo"), max_length=40, blank=True)

    class Meta(CatalogEntry.Meta):
        verbose_name = _("unidad de dosis")
        verbose_name_plural = _("unidades de dosis")


class PresentationUnit(CatalogEntry):
    """Unit of the total quantity of a medicine or nutritional product (`UFCantTotal`):
    2 digits (11 CAJA, 13 FRASCO)."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("unidad de presentación")
        verbose_name_plural = _("unidades de presentación")


class DeviceType(CatalogEntry):
    """Medical device types (`CodDisp`): 3 digits, each tied to a condition."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("tipo de dispositivo médico")
        verbose_name_plural = _("tipos de dispositivo médico")


class NutritionalProductType(CatalogEntry):
    """Nutritional product types (`TippProNut`): 4 digits."""

    class Meta(CatalogEntry.Meta):
        verbose_name = _("tipo de producto nutricional")
        verbose_name_plural = _("tipos de producto nutricional")


class NutritionalForm(CatalogEntry):
    """Container or form of a nutritional product (`CodForma`)."""

    class Meta(CatalogEntry.Meta):
        ordering = NUMERIC_ORDER
        verbose_name = _("forma de producto nutricional")
        verbose_name_plural = _("formas de producto nutricional")


class NutritionalProduct(CatalogEntry):
    """A commercial nutritional product (6 digits; the first four are its type)."""

    product_type = models.ForeignKey(
        NutritionalProductType,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("tipo de producto nutricional"),
    )
    physical_state = models.CharField(_("estado físico"), max_length=20, blank=True)
    form_name = models.CharField(_("forma (envase)"), max_length=40, blank=True)
    form_code = models.CharField(
        _("código de la forma"),
        max_length=10,
        blank=True,
        help_text=_("Código en las formas de producto nutricional."),
    )
    package_quantity = models.DecimalField(
        _("contenido de la presentación"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    package_unit = models.CharField(_("unidad del contenido"), max_length=10, blank=True)

    class Meta(CatalogEntry.Meta):
        verbose_name = _("producto nutricional")
        verbose_name_plural = _("productos nutricionales")


class ComplementaryService(CatalogEntry):
    """Complementary services (`CodSerComp`, technology type S). The code list changed on
    1 October 2019; both sets are kept, each naming its equivalent in the other."""

    class CodePeriod(models.TextChoices):
        BEFORE_2019_10 = "before_2019-10-01", _("Códigos anteriores al 1 de octubre de 2019")
        FROM_2019_10 = "from_2019-10-01", _("Códigos desde el 1 de octubre de 2019")

    code_period = models.CharField(
        _("periodo del código"), max_length=20, choices=CodePeriod, blank=True
    )
    equivalent_code = models.CharField(
        _("código equivalente"),
        max_length=20,
        blank=True,
        help_text=_("El código del mismo servicio en el otro periodo."),
    )

    class Meta(CatalogEntry.Meta):
        ordering = NUMERIC_ORDER
        verbose_name = _("servicio complementario")
        verbose_name_plural = _("servicios complementarios")


class UnirsIndication(CatalogEntry):
    """Coded indications of the UNIRS list (uses not included in the sanitary
    registration) a medicine of TipoMed 7 cites. Their texts run to 2,000 characters."""

    name = models.TextField(_("nombre"))
    search_name = models.TextField(_("nombre para búsqueda"), editable=False, default="")

    class Meta(CatalogEntry.Meta):
        ordering = NUMERIC_ORDER
        verbose_name = _("indicación UNIRS")
        verbose_name_plural = _("indicaciones UNIRS")


class TransportType(CatalogEntry):
    """Means of transport of a complementary transport service."""

    class Meta(CatalogEntry.Meta):
        ordering = NUMERIC_ORDER
        verbose_name = _("tipo de transporte")
        verbose_name_plural = _("tipos de transporte")


class CompanionRelationship(CatalogEntry):
    """Relationship of a companion to the patient (lodging and transport services)."""

    class Meta(CatalogEntry.Meta):
        ordering = NUMERIC_ORDER
        verbose_name = _("parentesco del acompañante")
        verbose_name_plural = _("parentescos del acompañante")


class NonDeliveryCauseQuerySet(CatalogQuerySet):
    def for_technology(self, technology_type: str):
        """Causes that may be cited for a line of `technology_type` (M, P, D, N, S)."""
        return self.filter(**{NonDeliveryCause.TECHNOLOGY_FIELDS[str(technology_type)]: True})


class NonDeliveryCause(CatalogEntry):
    """Causas de no entrega / no direccionamiento (1–19, research §4): which technology
    types each applies to, and whether it may justify a no-direccionamiento by the payer
    and a partial delivery by the provider. The shipped mapping is partly inferred
    (prescriptions/data/causas_no_entrega.csv says which rows)."""

    applies_to_medicine = models.BooleanField(_("aplica a medicamentos (M)"), default=False)
    applies_to_procedure = models.BooleanField(_("aplica a procedimientos (P)"), default=False)
    applies_to_device = models.BooleanField(_("aplica a dispositivos (D)"), default=False)
    applies_to_nutritional = models.BooleanField(
        _("aplica a productos nutricionales (N)"), default=False
    )
    applies_to_service = models.BooleanField(
        _("aplica a servicios complementarios (S)"), default=False
    )
    for_no_direccionamiento = models.BooleanField(_("justifica un no direccionamiento"))
    for_partial_delivery = models.BooleanField(_("justifica una entrega parcial"))
    needs_associated_prescription = models.BooleanField(
        _("exige la prescripción asociada"),
        default=False,
        help_text=_(
            "La causa remite a otra prescripción (NoPrescripcionAsociada, ConTecAsociada)."
        ),
    )

    objects = NonDeliveryCauseQuerySet.as_manager()

    class Meta(CatalogEntry.Meta):
        ordering = NUMERIC_ORDER
        verbose_name = _("causa de no entrega")
        verbose_name_plural = _("causas de no entrega")

    TECHNOLOGY_FIELDS = {
        "M": "applies_to_medicine",
        "P": "applies_to_procedure",
        "D": "applies_to_device",
        "N": "applies_to_nutritional",
        "S": "applies_to_service",
    }

    def applies_to(self, technology_type: str) -> bool:
        """Whether the cause may be cited for a line of `technology_type` (M, P, D, N, S)."""
        return getattr(self, self.TECHNOLOGY_FIELDS[str(technology_type)])


CATALOG_MODELS = (
    Diagnosis,
    CupsProcedure,
    ActiveIngredient,
    OrphanDisease,
    PharmaceuticalForm,
    AdministrationRoute,
    MeasurementUnit,
    DoseUnit,
    PresentationUnit,
    DeviceType,
    NutritionalProductType,
    NutritionalForm,
    NutritionalProduct,
    ComplementaryService,
    UnirsIndication,
    TransportType,
    CompanionRelationship,
    NonDeliveryCause,
)
