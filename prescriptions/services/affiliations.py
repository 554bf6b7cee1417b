"""Loading affiliations from BDUA (the only way an affiliation enters the system: nobody
picks a patient's payer by hand). The CSV format is in docs/patients.md.

Each accepted row is one of: created (a new affiliation), updated (an affiliation's
régimen, state or dates changed), unchanged. A patient's newest active row wins: it closes
the patient's previous active affiliation when the EPS changed (counted in `closed`).
Patients absent from our table are created from the row (BDUA is the national source of
identity) when it carries names, birth date, sex and municipality (`patients_created`).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DEMO_SOURCE, DocumentType
from accounts.registries.imports import RowError, normalized_rows, parse_bool
from entities import audit
from entities.models import Municipality, PayerCode, Regime
from entities.services.common import require_ministry
from mipres.lib.csvfiles import ImportReport

from ..models import Affiliation, Patient
from ..models.patients import WITHOUT_OWN_DOCUMENT, Sex
from .patients import birth_date_error, document_number_error

BDUA_COLUMNS = ("tipo_documento", "numero_documento", "codigo_eps", "fecha_afiliacion")
IDENTITY_COLUMNS = ("primer_nombre", "primer_apellido", "fecha_nacimiento", "sexo", "municipio")
BATCH_SIZE = 2000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
SEX_WORDS = {
    "m": Sex.MALE,
    "masculino": Sex.MALE,
    "hombre": Sex.MALE,
    "f": Sex.FEMALE,
    "femenino": Sex.FEMALE,
    "mujer": Sex.FEMALE,
    "i": Sex.INDETERMINATE,
    "indeterminado": Sex.INDETERMINATE,
    "intersexual": Sex.INDETERMINATE,
}
REGIME_WORDS = {
    "c": Regime.CONTRIBUTIVO,
    "contributivo": Regime.CONTRIBUTIVO,
    "s": Regime.SUBSIDIADO,
    "subsidiado": Regime.SUBSIDIADO,
}

E_REQUIRED = _("falta «%(column)s»")
E_TOO_LONG = _("«%(column)s» tiene más de %(max)s caracteres")
E_DOCUMENT_TYPE = _("tipo de documento «%(value)s» desconocido (use CC, CE, PA, TI, RC…)")
E_DOCUMENT_MS = _(
    "un menor sin identificación (MS) se registra en Admisión con el documento de la madre, "
    "no desde la BDUA"
)
E_DOCUMENT_NUMBER = _("número de documento «%(value)s»: %(reason)s")
E_PAYER_CODE = _("código EPS «%(value)s» no existe")
E_PAYER_CODE_INACTIVE = _("código EPS «%(value)s» está inactivo")
E_REGIME = _("régimen «%(value)s» desconocido (use contributivo o subsidiado)")
E_DATE = _("«%(column)s» «%(value)s» no es una fecha (use AAAA-MM-DD o DD/MM/AAAA)")
E_FUTURE = _("«%(column)s» es posterior a hoy")
E_SEX = _("sexo «%(value)s» desconocido (use M, F o I)")
E_MUNICIPALITY = _("municipio «%(value)s» no existe en DIVIPOLA")
E_BIRTH = _("fecha de nacimiento: %(reason)s")
E_UNKNOWN_PATIENT = _(
    "el paciente %(document)s no está registrado y la fila no trae primer nombre, primer "
    "apellido, fecha de nacimiento, sexo y municipio para crearlo"
)
E_DUPLICATE = _("repite la afiliación de la línea %(line)s")
E_SUPERSEDED = _("la línea %(line)s trae una afiliación activa más reciente del mismo paciente")
E_STALE = _(
    "la afiliación activa registrada (%(code)s desde %(start)s) es más reciente que la de esta fila"
)
E_DEMO_OVER_OFFICIAL = _(
    "la afiliación activa registrada viene de la fuente «%(source)s»; los datos de "
    "demostración no la reemplazan"
)
E_SOURCE = _("La fuente debe tener de 1 a 30 caracteres.")


@dataclass
class AffiliationImportReport(ImportReport):
    patients_created: int = 0
    closed: int = 0  # previous active affiliations closed by a change of EPS


@dataclass
class _Row:
    line: int
    key: tuple[str, str]  # the patient's (document_type, document_number)
    payer_code: PayerCode
    regime: str
    start_date: date
    active: bool
    end_date: date | None
    raw: dict


def _date(row: dict, column: str, *, required: bool) -> date | None:
    text = row.get(column, "")
    if not text:
        if required:
            raise RowError(E_REQUIRED % {"column": column})
        return None
    for pattern in DATE_FORMATS:
        try:
            value = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if value > timezone.localdate():
            raise RowError(E_FUTURE % {"column": column})
        return value
    raise RowError(E_DATE % {"column": column, "value": text})


def _parse(row: dict, line: int, codes: dict[str, PayerCode]) -> _Row:
    document_type = row.get("tipo_documento", "").upper()
    number = re.sub(r"[\s.\-]", "", row.get("numero_documento", "")).upper()
    for column, value in (("tipo_documento", document_type), ("numero_documento", number)):
        if not value:
            raise RowError(E_REQUIRED % {"column": column})
    if document_type == WITHOUT_OWN_DOCUMENT:
        raise RowError(E_DOCUMENT_MS)
    if document_type not in DocumentType.values:
        raise RowError(E_DOCUMENT_TYPE % {"value": document_type})
    reason = document_number_error(document_type, number)
    if reason:
        raise RowError(E_DOCUMENT_NUMBER % {"value": number, "reason": reason})
    code_text = row.get("codigo_eps", "").upper()
    if not code_text:
        raise RowError(E_REQUIRED % {"column": "codigo_eps"})
    payer_code = codes.get(code_text)
    if payer_code is None:
        raise RowError(E_PAYER_CODE % {"value": code_text})
    active = parse_bool(row.get("activo", ""), column="activo", default=True)
    if active and not payer_code.active:
        raise RowError(E_PAYER_CODE_INACTIVE % {"value": code_text})
    regime_text = row.get("regimen", "").strip().lower()
    regime = REGIME_WORDS.get(regime_text) if regime_text else payer_code.regime
    if regime is None:
        raise RowError(E_REGIME % {"value": row.get("regimen", "")})
    return _Row(
        line=line,
        key=(document_type, number),
        payer_code=payer_code,
        regime=regime,
        start_date=_date(row, "fecha_afiliacion", required=True),
        active=active,
        end_date=_date(row, "fecha_retiro", required=False),
        raw=row,
    )


def _text(row: dict, column: str, *, required: bool, max_length: int = 60) -> str:
    value = " ".join(row.get(column, "").split())
    if required and not value:
        raise RowError(E_REQUIRED % {"column": column})
    if len(value) > max_length:
        raise RowError(E_TOO_LONG % {"column": column, "max": max_length})
    return value


def _new_patient(parsed: _Row, municipalities: set[str]) -> Patient:
    """The patient a BDUA row describes, validated (RowError otherwise)."""
    row = parsed.raw
    if not all(row.get(column) for column in IDENTITY_COLUMNS):
        document = " ".join(parsed.key)
        raise RowError(E_UNKNOWN_PATIENT % {"document": document})
    birth_date = _date(row, "fecha_nacimiento", required=True)
    reason = birth_date_error(birth_date)
    if reason:
        raise RowError(E_BIRTH % {"reason": reason})
    sex = SEX_WORDS.get(row["sexo"].strip().lower())
    if sex is None:
        raise RowError(E_SEX % {"value": row["sexo"]})
    if row["municipio"] not in municipalities:
        raise RowError(E_MUNICIPALITY % {"value": row["municipio"]})
    return Patient(
        document_type=parsed.key[0],
        document_number=parsed.key[1],
        first_name=_text(row, "primer_nombre", required=True),
        middle_name=_text(row, "segundo_nombre", required=False),
        first_surname=_text(row, "primer_apellido", required=True),
        second_surname=_text(row, "segundo_apellido", required=False),
        birth_date=birth_date,
        sex=sex,
        municipality_id=row["municipio"],
    )


def _patients_by_key(keys) -> dict[tuple[str, str], int]:
    """Patient ids by own document, fetched in batches by number (never per row)."""
    numbers = sorted({number for _type, number in keys})
    found = {}
    for start in range(0, len(numbers), BATCH_SIZE):
        rows = (
            Patient.objects.filter(document_number__in=numbers[start : start + BATCH_SIZE])
            .exclude(document_type=WITHOUT_OWN_DOCUMENT)
            .values_list("document_type", "document_number", "pk")
        )
        for document_type, number, pk in rows:
            found[(document_type, number)] = pk
    return found


def _affiliations_by_patient(patient_ids) -> dict[int, list[Affiliation]]:
    """Every stored affiliation of these patients, locked for the import's transaction."""
    ids = sorted(patient_ids)
    found = defaultdict(list)
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        for affiliation in Affiliation.objects.select_for_update().filter(patient_id__in=chunk):
            found[affiliation.patient_id].append(affiliation)
    return found


class _PatientState:
    """One patient's affiliations while the import decides: stored ones by (code, start
    date), and the active one."""

    def __init__(self, patient_id: int, stored: list[Affiliation]) -> None:
        self.patient_id = patient_id
        self.by_key = {(a.payer_code_id, a.start_date): a for a in stored}
        self.active = next((a for a in stored if a.active), None)


class _Plan:
    """The writes an import makes, decided in memory, then applied in bulk."""

    def __init__(self, report: AffiliationImportReport, source: str) -> None:
        self.report, self.source = report, source
        self.closing: dict[int, Affiliation] = {}
        self.changing: dict[int, Affiliation] = {}
        self.creating: list[Affiliation] = []
        self.now = timezone.now()

    def close(self, affiliation: Affiliation, end_date: date) -> None:
        affiliation.active, affiliation.end_date = False, end_date
        affiliation.updated_at = self.now
        self.closing[affiliation.pk] = affiliation

    def change(self, affiliation: Affiliation, **values) -> None:
        for name, value in values.items():
            setattr(affiliation, name, value)
        affiliation.source, affiliation.updated_at = self.source, self.now
        self.changing[affiliation.pk] = affiliation

    def create(self, patient_id: int, row: _Row) -> Affiliation:
        affiliation = Affiliation(
            patient_id=patient_id,
            payer_code=row.payer_code,
            regime=row.regime,
            active=row.active,
            start_date=row.start_date,
            end_date=None if row.active else row.end_date,
            source=self.source,
        )
        self.creating.append(affiliation)
        return affiliation

    def apply(self) -> None:
        # Closings first: the partial unique index allows one active affiliation per
        # patient at every moment, also within one UPDATE statement.
        closing_fields = ["active", "end_date", "updated_at"]
        Affiliation.objects.bulk_update(self.closing.values(), closing_fields, BATCH_SIZE)
        changing_fields = ["regime", "active", "end_date", "source", "updated_at"]
        Affiliation.objects.bulk_update(self.changing.values(), changing_fields, BATCH_SIZE)
        Affiliation.objects.bulk_create(self.creating, batch_size=BATCH_SIZE)


def _history_row(plan: _Plan, row: _Row, state: _PatientState) -> None:
    """An inactive row: BDUA's record of a past affiliation."""
    report = plan.report
    existing = state.by_key.get((row.payer_code.pk, row.start_date))
    if existing is None:
        plan.create(state.patient_id, row)
        report.created += 1
    elif existing.active:
        plan.close(existing, row.end_date or timezone.localdate())
        state.active = None
        report.updated += 1
    elif existing.regime != row.regime or (row.end_date and existing.end_date != row.end_date):
        plan.change(existing, regime=row.regime, end_date=row.end_date or existing.end_date)
        report.updated += 1
    else:
        report.unchanged += 1


def _active_row(plan: _Plan, row: _Row, state: _PatientState) -> None:
    """The patient's newest active row: it becomes (or stays) the active affiliation."""
    report, current = plan.report, state.active
    same = current is not None and (current.payer_code_id, current.start_date) == (
        row.payer_code.pk,
        row.start_date,
    )
    if same and current.regime == row.regime:
        report.unchanged += 1
        return
    if current is not None and plan.source == DEMO_SOURCE and current.source != DEMO_SOURCE:
        report.rejected.append((row.line, str(E_DEMO_OVER_OFFICIAL % {"source": current.source})))
        return
    if same:
        plan.change(current, regime=row.regime)
        report.updated += 1
        return
    if current is not None and current.start_date > row.start_date:
        stale = {"code": current.payer_code.code, "start": current.start_date.isoformat()}
        report.rejected.append((row.line, str(E_STALE % stale)))
        return
    if current is not None:
        plan.close(current, max(current.start_date, row.start_date - timedelta(days=1)))
        report.closed += 1
    existing = state.by_key.get((row.payer_code.pk, row.start_date))
    if existing is not None:
        # BDUA reports again as active an affiliation it had closed.
        plan.change(existing, regime=row.regime, active=True, end_date=None)
        report.updated += 1
    else:
        existing = plan.create(state.patient_id, row)
        report.created += 1
    state.active = existing


def _select_rows(rows, codes, report) -> list[_Row]:
    """Parse the rows; drop repeated affiliations and active rows that a newer active row
    of the same patient supersedes, each with its reason."""
    parsed: list[_Row] = []
    seen: dict[tuple, int] = {}
    for line, row in enumerate(normalized_rows(rows), start=2):  # line 1 is the header
        try:
            item = _parse(row, line, codes)
        except RowError as error:
            report.rejected.append((line, str(error)))
            continue
        identity = (item.key, item.payer_code.pk, item.start_date)
        if identity in seen:
            report.rejected.append((line, str(E_DUPLICATE % {"line": seen[identity]})))
            continue
        seen[identity] = line
        parsed.append(item)
    newest: dict[tuple[str, str], _Row] = {}
    for item in parsed:
        if item.active:
            best = newest.get(item.key)
            if best is None or (item.start_date, item.line) > (best.start_date, best.line):
                newest[item.key] = item
    selected = []
    for item in parsed:
        winner = newest.get(item.key)
        if item.active and winner is not item:
            report.rejected.append((item.line, str(E_SUPERSEDED % {"line": winner.line})))
        else:
            selected.append(item)
    return selected


def _create_patients(rows: list[_Row], known: dict, report) -> list[_Row]:
    """Create the patients BDUA knows and we do not; drop rows of patients that could not
    be created."""
    municipalities = set(Municipality.objects.values_list("code", flat=True))
    new: dict[tuple[str, str], Patient] = {}
    failures: dict[tuple[str, str], str] = {}
    for row in rows:
        if row.key in known or row.key in new:
            continue
        try:
            new[row.key] = _new_patient(row, municipalities)
            failures.pop(row.key, None)
        except RowError as error:
            failures.setdefault(row.key, str(error))
    Patient.objects.bulk_create(new.values(), batch_size=BATCH_SIZE)
    known.update({key: patient.pk for key, patient in new.items()})
    report.patients_created = len(new)
    kept = []
    for row in rows:
        if row.key in known:
            kept.append(row)
        else:
            report.rejected.append((row.line, failures[row.key]))
    return kept


def affiliation_import(
    rows: Iterable[dict[str, str]], *, actor, source: str
) -> AffiliationImportReport:
    """Load BDUA affiliation rows (docs/patients.md): create patients BDUA knows and we
    do not, record past (inactive) affiliations, and make each patient's newest active
    row their one active affiliation, closing the previous one when the EPS changed.

    Only the Ministry (or the system, `actor=None`) imports. Rejects, with a Spanish
    reason per line: bad or MS documents, unknown or inactive códigos EPS, bad dates or
    régimen, a repeated affiliation, an active row superseded by a newer one of the same
    patient or older than the stored active affiliation, an unknown patient without the
    identity columns, and demo rows over another source's affiliation. Writes everything
    and one `prescriptions.affiliation.imported` audit entry in one transaction.
    Raises PermissionDenied, and ValueError for an empty or over-long `source`.
    """
    require_ministry(actor)
    if not 1 <= len(source) <= 30:
        raise ValueError(str(E_SOURCE))
    report = AffiliationImportReport()
    with transaction.atomic():
        codes = {code.code: code for code in PayerCode.objects.all()}
        selected = _select_rows(rows, codes, report)
        known = _patients_by_key({row.key for row in selected})
        selected = _create_patients(selected, known, report)
        stored_by_patient = _affiliations_by_patient({known[row.key] for row in selected})
        plan = _Plan(report, source)
        states: dict[int, _PatientState] = {}
        # Past affiliations first, so that the newest active row meets the final state.
        for row in sorted(selected, key=lambda r: (r.active, r.start_date, r.line)):
            patient_id = known[row.key]
            if patient_id not in states:
                states[patient_id] = _PatientState(patient_id, stored_by_patient[patient_id])
            (_active_row if row.active else _history_row)(plan, row, states[patient_id])
        plan.apply()
        report.rejected.sort()
        audit.log(
            actor=actor,
            action="prescriptions.affiliation.imported",
            data={
                "source": source,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": len(report.rejected),
                "patients_created": report.patients_created,
                "closed": report.closed,
            },
        )
    return report
