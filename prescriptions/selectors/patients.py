"""Reads of patients and of who pays for them (STYLE R5).

Patients are national: any Admisión, Prescriptor or Ordenador of a verified IPS finds a
patient by document (`patient_find`, `patient_search`) or by public id (`patient_get`).
The Admisión list of an IPS (`patient_list_for_entity`) shows only the patients that IPS
registered or last updated.
"""

from dataclasses import dataclass

from django.db.models import FilteredRelation, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, PayerCode
from entities.permissions import EntityType
from mipres.lib.errors import DomainError
from mipres.lib.search import fold, folded

from ..models import Affiliation, Patient
from ..models.patients import WITHOUT_OWN_DOCUMENT

E_NO_PAYER = _(
    "No hay EPS activa ni entidad territorial registrada para el municipio %(municipality)s "
    "(%(code)s) del paciente %(document)s: cargue su afiliación desde la BDUA o pida al "
    "Ministerio registrar la entidad territorial."
)
E_CODE_INACTIVE = _(
    "La afiliación activa del paciente es al código EPS %(code)s, que está inactivo: "
    "actualice la afiliación desde la BDUA."
)
R_AFFILIATION = _("Afiliación activa en la BDUA: %(code)s, régimen %(regime)s, desde %(start)s.")
R_MOTHER = _(
    "Recién nacido sin afiliación propia: lo cubre la EPS de la madre (%(document)s), "
    "%(code)s, régimen %(regime)s."
)
R_DISTRICT_ET = _(
    "Sin afiliación activa en la BDUA: paga la entidad territorial del municipio o distrito "
    "%(municipality)s."
)
R_DEPARTMENT_ET = _(
    "Sin afiliación activa en la BDUA: paga la entidad territorial del departamento de "
    "%(department)s."
)


@dataclass(frozen=True)
class Payer:
    """Who pays for a patient's prescriptions, and why. `payer_code` and `regime` are None
    when an entidad territorial pays."""

    entity: Entity
    payer_code: PayerCode | None
    regime: str | None
    reason: str
    affiliation: Affiliation | None = None

    @property
    def regime_label(self) -> str:
        return self.affiliation.get_regime_display() if self.affiliation else ""


def _normalized(number: str) -> str:
    return "".join(number.split()).replace(".", "").upper()


def patient_find(
    document_type: str,
    document_number: str,
    *,
    newborn_order: int | None = None,
    with_affiliation: bool = False,
) -> Patient | None:
    """The patient with exactly this document, or None.

    For type MS (a newborn identified by the mother's document) `document_number` is the
    mother's number and `newborn_order` picks the child (1 when not given).
    `with_affiliation`: the patient's active affiliation, with its payer code and entity,
    read in the same query as `active_affiliations` (what `payer_for` reads).
    """
    number = _normalized(document_number)
    patients = Patient.objects.select_related("municipality__department")
    if with_affiliation:
        # At most one active affiliation (constraint affiliation_one_active): one row.
        active = FilteredRelation("affiliations", condition=Q(affiliations__active=True))
        patients = patients.annotate(active_affiliation=active).select_related(
            "active_affiliation__payer_code__entity"
        )
    if document_type == WITHOUT_OWN_DOCUMENT:
        patients = patients.filter(newborn_order=newborn_order or 1)
    try:
        # One patient at most (constraints patient_document_unique, patient_newborn_unique):
        # get() rather than first(), which would sort by the patients' names.
        patient = patients.get(document_type=document_type, document_number=number)
    except Patient.DoesNotExist:
        return None
    if with_affiliation:
        affiliation = getattr(patient, "active_affiliation", None)  # unset when none
        patient.active_affiliations = [affiliation] if affiliation is not None else []
    return patient


def patient_search(document_type: str, document_number: str) -> list[Patient]:
    """What a search by document shows: the patient with that document, then the newborns
    registered with it as their mother's document (for type MS: every newborn with that
    mother's number), at most 20."""
    number = _normalized(document_number)
    if not number:
        return []
    if document_type == WITHOUT_OWN_DOCUMENT:
        match = Q(document_type=WITHOUT_OWN_DOCUMENT, document_number=number)
    else:
        match = Q(document_type=document_type, document_number=number) | Q(
            document_type=WITHOUT_OWN_DOCUMENT,
            mother_document_type=document_type,
            mother_document_number=number,
        )
    return list(
        Patient.objects.filter(match)
        .select_related("municipality__department")
        .order_by("newborn_order", "pk")[:20]
    )


def patient_get(*, external_id) -> Patient:
    """A patient by public id (patients are national); 404 when there is none."""
    try:
        return Patient.objects.select_related(
            "municipality__department", "registered_by_entity", "updated_by_entity"
        ).get(external_id=external_id)
    except Patient.DoesNotExist:
        raise Http404 from None


def _active_affiliations() -> Prefetch:
    return Prefetch(
        "affiliations",
        queryset=Affiliation.objects.filter(active=True).select_related("payer_code__entity"),
        to_attr="active_affiliations",
    )


def patient_list_for_entity(
    *, entity: Entity, document: str = "", name: str = ""
) -> QuerySet[Patient]:
    """The patients `entity` (an IPS) registered or last updated, newest change first, with
    their active affiliation prefetched (`patient.active_affiliations`: zero or one).

    `document` matches the start of the document number; `name` matches every word against
    any of the patient's names, ignoring case and accents.
    """
    queryset = Patient.objects.filter(Q(registered_by_entity=entity) | Q(updated_by_entity=entity))
    number = _normalized(document)
    if number:
        queryset = queryset.filter(document_number__startswith=number)
    words = fold(name).split()
    if words:
        full_name = folded(
            Concat(
                "first_name",
                Value(" "),
                "middle_name",
                Value(" "),
                "first_surname",
                Value(" "),
                "second_surname",
            )
        )
        queryset = queryset.alias(folded_name=full_name)
        for word in words:
            queryset = queryset.filter(folded_name__contains=word)
    return (
        queryset.select_related("municipality__department")
        .prefetch_related(_active_affiliations())
        .order_by("-updated_at", "-pk")
    )


def affiliation_list(*, patient: Patient) -> list[Affiliation]:
    """The patient's affiliations as BDUA reported them, the active one first."""
    return list(patient.affiliations.select_related("payer_code__entity"))


def _active_affiliation(patient: Patient) -> Affiliation | None:
    prefetched = getattr(patient, "active_affiliations", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return (
        Affiliation.objects.filter(patient=patient, active=True)
        .select_related("payer_code__entity")
        .first()
    )


def _payer_from_affiliation(affiliation: Affiliation, reason: str) -> Payer:
    code = affiliation.payer_code
    if not code.active:
        raise DomainError(E_CODE_INACTIVE % {"code": code.code}, code="payer_code_inactive")
    return Payer(
        entity=code.entity,
        payer_code=code,
        regime=affiliation.regime,
        reason=reason,
        affiliation=affiliation,
    )


def _mother_affiliation(patient: Patient) -> tuple[Patient, Affiliation] | None:
    mother = patient_find(patient.mother_document_type, patient.mother_document_number)
    if mother is None:
        return None
    affiliation = _active_affiliation(mother)
    return (mother, affiliation) if affiliation else None


def territorial_payer_for(municipality) -> Entity | None:
    """The verified entidad territorial that pays in `municipality`: the district's or
    municipality's own (DANE code of 5 digits) before the department's (2 digits)."""
    candidates = Entity.objects.filter(
        entity_type=EntityType.ET,
        status=Entity.Status.VERIFIED,
        dane_code__in=[municipality.code, municipality.code[:2]],
    ).order_by("pk")
    by_code: dict[str, Entity] = {}
    for entity in candidates:
        by_code.setdefault(entity.dane_code, entity)
    return by_code.get(municipality.code) or by_code.get(municipality.code[:2])


def payer_for(patient: Patient) -> Payer:
    """Who pays for `patient`'s prescriptions. The prescriber never chooses it.

    1. The payer code of the patient's active affiliation (BDUA) and the EPS/EOC holding it.
    2. For a newborn registered with the mother's document (MS) and no affiliation of their
       own: the mother's active affiliation, when the mother is a registered patient (the
       newborn is covered by the mother's EPS).
    3. Otherwise the verified entidad territorial of the patient's municipality: the
       district/municipal one (`dane_code` = the 5-digit DIVIPOLA code) before the
       departmental one (`dane_code` = the 2-digit department code).

    Raises DomainError (code "no_payer") when none applies, and (code
    "payer_code_inactive") when the active affiliation's code is inactive.
    """
    affiliation = _active_affiliation(patient)
    if affiliation is not None:
        return _payer_from_affiliation(
            affiliation,
            R_AFFILIATION
            % {
                "code": affiliation.payer_code.code,
                "regime": affiliation.get_regime_display(),
                "start": affiliation.start_date.isoformat(),
            },
        )
    if patient.uses_mother_document:
        found = _mother_affiliation(patient)
        if found is not None:
            mother, mother_affiliation = found
            return _payer_from_affiliation(
                mother_affiliation,
                R_MOTHER
                % {
                    "document": mother.document,
                    "code": mother_affiliation.payer_code.code,
                    "regime": mother_affiliation.get_regime_display(),
                },
            )
    municipality = patient.municipality
    territory = territorial_payer_for(municipality)
    if territory is None:
        raise DomainError(
            E_NO_PAYER
            % {
                "municipality": municipality.name,
                "code": municipality.code,
                "document": patient.document,
            },
            code="no_payer",
        )
    if len(territory.dane_code) == 5:
        reason = R_DISTRICT_ET % {"municipality": municipality.name}
    else:
        reason = R_DEPARTMENT_ET % {"department": municipality.department.name}
    return Payer(entity=territory, payer_code=None, regime=None, reason=reason)
