"""bench/volume.py's rows: `Writer` generates the patients, their affiliations, the
prescriptions, their technology lines, active ingredients, novedades and audit entries as
COPY text, chunk by chunk, and hands each chunk to a `bench.copying.Copier`. `COPY_COLUMNS`
says which columns each table gets (and `LOADED_MODELS` which tables a load writes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from bench.copying import Copier, Picker, column, copy_escape
from bench.volume_world import (
    GIVEN_NAMES,
    PATIENT_DOCUMENT_BASE,
    SURNAMES,
    VOLUME_SOURCE,
    street_address,
    words,
)
from entities.models import AuditEntry
from prescriptions.enums import (
    CareSetting,
    MedicineType,
    NoveltyType,
    NutritionalRoute,
    PrescriptionStatus,
    SpecialIndication,
    SupplyType,
    TimeUnit,
)
from prescriptions.models import (
    Affiliation,
    LineActiveIngredient,
    Novelty,
    Patient,
    Prescription,
    TechnologyLine,
)
from prescriptions.models.catalogs import (
    ActiveIngredient,
    ComplementaryService,
    CupsProcedure,
    DeviceType,
    MeasurementUnit,
    NutritionalProduct,
    NutritionalProductType,
)
from prescriptions.services.prescribing import junta_status_for

WITHOUT_AFFILIATION = 0.01  # patients paid by the entidad territorial
PREVIOUS_AFFILIATION = 0.10  # patients with a closed affiliation before the active one
POOL = 4096  # ready-made variants of each line type (see Writer._line_variants)
# Shares of the line types (issue 4 item 12) and of the care settings.
LINE_TYPES = {"M": 0.60, "P": 0.20, "D": 0.05, "N": 0.05, "S": 0.10}
CARE_SETTINGS = {
    CareSetting.AMBULATORIO_PRIORIZADO: 0.15,
    CareSetting.AMBULATORIO_NO_PRIORIZADO: 0.58,
    CareSetting.HOSPITALARIO_DOMICILIARIO: 0.05,
    CareSetting.HOSPITALARIO_INTERNACION: 0.14,
    CareSetting.URGENCIAS: 0.08,
}
MEDICINE_TYPES = {
    MedicineType.MEDICAMENTO: 0.90,
    MedicineType.VITAL_NO_DISPONIBLE: 0.02,
    MedicineType.PREPARACION_MAGISTRAL: 0.03,
    MedicineType.UNIRS: 0.05,
}
# Prescriptions per hour of the day (local time).
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 9, 12, 12, 12, 11, 7, 8, 11, 11, 10, 8, 5, 3, 2, 2, 1, 1]
JUSTIFICATIONS = [
    "Paciente con diagnóstico confirmado que requiere la tecnología para control de su "
    "enfermedad; se han agotado las alternativas disponibles sin respuesta adecuada.",
    "Continuidad del tratamiento instaurado por especialista; buena adherencia y respuesta "
    "clínica documentada en la historia.",
    "Intolerancia documentada a la alternativa terapéutica; se formula según guía de práctica "
    "clínica vigente.",
    "Enfermedad crónica en seguimiento; la tecnología mejora la calidad de vida y evita "
    "hospitalizaciones.",
    "Indicación según concepto de la junta médica institucional y la evidencia disponible.",
    "Paciente polimedicado con comorbilidades; se requiere para evitar complicaciones agudas.",
    "Falla terapéutica con el esquema anterior tras tres meses de tratamiento a dosis plenas.",
    "Condición clínica que impide el desplazamiento; se requiere para garantizar la atención.",
    "Control posoperatorio según protocolo del servicio; riesgo de complicación sin la tecnología.",
    "Requerimiento nutricional no cubierto por la dieta habitual; pérdida de peso documentada.",
    "Tratamiento de segunda línea según protocolo; contraindicación de la primera línea.",
    "Seguimiento de paciente oncológico en tratamiento activo, según esquema institucional.",
]
RECOMMENDATIONS = [
    "",
    "",
    "",
    "Tomar con los alimentos.",
    "Control en un mes con resultados.",
    "Vigilar signos de alarma y consultar por urgencias si aparecen.",
    "No suspender sin indicación médica.",
    "Aplicar en la mañana.",
]
ANNULMENT_REASONS = [
    "Error en la dosis formulada.",
    "Se formuló al paciente equivocado.",
    "Cambio de conducta médica tras nuevos resultados.",
    "Duplicada por error del sistema.",
    "La tecnología no corresponde al diagnóstico registrado.",
]

_UUID_MASK = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))
_UUID_V4 = (0x4 << 76) | (0x2 << 62)


COPY_COLUMNS = {
    Patient: words(
        "id external_id document_type document_number first_name middle_name first_surname "
        "second_surname birth_date sex municipality address phone email mother_document_type "
        "mother_document_number registered_by_entity created_at updated_at"
    ),
    Affiliation: words(
        "external_id patient payer_code regime active start_date end_date source created_at "
        "updated_at"
    ),
    Prescription: words(
        "id external_id number prescribed_at status entity sede habilitation_code prescriber "
        "prescriber_registration recorded_by patient payer payer_code care_setting referral "
        "diagnosis related_diagnosis_1 related_diagnosis_2 orphan_disease original_reference "
        "annulled_at annulment_reason confirmed_cautions"
    ),
    # The common fields, then the per-type ones in the order the line builders write them.
    TechnologyLine: words(
        "id prescription technology_type order supply_type justification recommendations "
        "junta_status description "
        "dose dose_unit quantity_per_use frequency_every frequency_unit duration_amount "
        "duration_unit total_quantity presentation_unit special_indication medicine_type "
        "pharmaceutical_form route procedure device_type complementary_service nutritional_type "
        "nutritional_product nutritional_form nutritional_route"
    ),
    LineActiveIngredient: words("line order ingredient concentration concentration_unit"),
    Novelty: words(
        "novelty_type prescription original_number resulting_number created_at actor reason"
    ),
    AuditEntry: words("created_at actor entity action content_type object_id data"),
}
LOADED_MODELS = list(COPY_COLUMNS)
# Position of each per-type field among the last columns of a TechnologyLine row.
_TYPE_FIELDS = {name: i for i, name in enumerate(COPY_COLUMNS[TechnologyLine][9:])}


def _copy_sql(model) -> str:
    columns = ", ".join(connection.ops.quote_name(column(model, n)) for n in COPY_COLUMNS[model])
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN"


class Writer:
    """Generates the rows as text for COPY and hands them to the loader chunk by chunk."""

    def __init__(self, rng, world, catalogs, plan, first_ids, annulled, audit, chunk):
        self.rng, self.world, self.cat, self.plan = rng, world, catalogs, plan
        self.first_ids, self.annulled_share, self.audit, self.chunk = (
            first_ids,
            annulled,
            audit,
            chunk,
        )
        self.say: Callable[[str], None] = lambda message: None
        self.rows = {model._meta.db_table: 0 for model in LOADED_MODELS}
        self.n_patients = plan.patients
        # Per patient, filled by patients(): its payer code and payer entity (0: none) and
        # its document, for the prescriptions.
        self.patient_code = [0] * self.n_patients
        self.patient_payer = [0] * self.n_patients
        self.patient_document = bytearray(self.n_patients)  # index in DOCUMENT_TYPES
        self.zone = ZoneInfo(settings.TIME_ZONE)

    def _uuid(self) -> str:
        return f"{self.rng.getrandbits(128) & _UUID_MASK | _UUID_V4:032x}"

    def _flush(self, buffers: dict, copier: Copier) -> None:
        for model, rows in buffers.items():
            copier.copy(_copy_sql(model), rows)
            self.rows[model._meta.db_table] += len(rows)
            rows.clear()

    # -- patients and affiliations ------------------------------------------------------

    DOCUMENT_TYPES = ("CC", "TI", "RC", "CE", "PE", "PA")

    def patients(self, copier: Copier) -> None:
        rng, world = self.rng, self.world
        first_id = self.first_ids[Patient]
        start = self.plan.days[0]
        today_ordinal = start.toordinal()
        stamp = f"{start - timedelta(days=1)} 06:00:00{self.plan.offsets[start]}"
        age = Picker(rng, range(0, 95), [_age_weight(a) for a in range(0, 95)])
        code_index = Picker(rng, range(len(world.payer_codes)), world.payer_code_weights)
        municipality = Picker(rng, world.municipalities)
        registered_by = Picker(rng, [str(i.pk) for i in world.ips] + ["\\N"] * len(world.ips))
        given, surname = Picker(rng, GIVEN_NAMES), Picker(rng, SURNAMES)
        buffers: dict = {Patient: [], Affiliation: []}
        for index in range(self.n_patients):
            pk = first_id + index
            years = age()
            birth = date.fromordinal(today_ordinal - years * 365 - rng.randrange(365))
            if years < 7:
                kind = 2
            elif years < 18:
                kind = 1
            else:
                draw = rng.random()
                kind = 0 if draw < 0.95 else 3 if draw < 0.97 else 4 if draw < 0.99 else 5
            self.patient_document[index] = kind
            uninsured = world.territory and rng.random() < WITHOUT_AFFILIATION
            town = rng.choice(world.territory_municipalities) if uninsured else municipality()
            middle = given() if rng.random() < 0.5 else ""
            phone = f"3{rng.randrange(100_000_000, 999_999_999)}" if rng.random() < 0.6 else ""
            buffers[Patient].append(
                f"{pk}\t{self._uuid()}\t{self.DOCUMENT_TYPES[kind]}\t"
                f"{PATIENT_DOCUMENT_BASE + index}\t{given()}\t{middle}\t{surname()}\t"
                f"{surname()}\t{birth}\t{'F' if rng.random() < 0.52 else 'M'}\t{town}\t"
                f"{street_address(rng)}\t{phone}\t\t\t\t{registered_by()}\t{stamp}\t{stamp}\n"
            )
            if uninsured:
                self.patient_payer[index] = world.territory
            else:
                code = code_index()
                code_pk, payer_pk, regime = world.payer_codes[code]
                self.patient_code[index], self.patient_payer[index] = code_pk, payer_pk
                since = date.fromordinal(
                    max(birth.toordinal(), today_ordinal - rng.randrange(30, 7_300))
                )
                if rng.random() < PREVIOUS_AFFILIATION:
                    old_pk, _payer, old_regime = world.payer_codes[code_index()]
                    old_since = date.fromordinal(since.toordinal() - rng.randrange(200, 3_000))
                    buffers[Affiliation].append(
                        f"{self._uuid()}\t{pk}\t{old_pk}\t{old_regime}\tf\t{old_since}\t"
                        f"{since - timedelta(days=1)}\t{VOLUME_SOURCE}\t{stamp}\t{stamp}\n"
                    )
                buffers[Affiliation].append(
                    f"{self._uuid()}\t{pk}\t{code_pk}\t{regime}\tt\t{since}\t\\N\t"
                    f"{VOLUME_SOURCE}\t{stamp}\t{stamp}\n"
                )
            if len(buffers[Patient]) >= self.chunk:
                self._flush(buffers, copier)
                self.say(f"patients {index + 1:,}/{self.n_patients:,}")
        self._flush(buffers, copier)

    # -- prescriptions and what hangs from them ----------------------------------------

    def prescriptions(self, copiers: list[Copier]) -> None:
        """Prescriptions with everything that hangs from them, a chunk (of about `chunk`
        lines) to each copier in turn: each chunk is whole, so a connection's rows only
        point at its own rows and at committed ones."""
        rng, world, cat, plan = self.rng, self.world, self.cat, self.plan
        pid = self.first_ids[Prescription] - 1
        lid = self.first_ids[TechnologyLine] - 1
        first_patient = self.first_ids[Patient]
        pick_ips = Picker(rng, world.ips, [i.weight for i in world.ips])
        pick_setting = Picker(rng, [s.value for s in CARE_SETTINGS], CARE_SETTINGS.values())
        pick_hour = Picker(rng, range(24), HOUR_WEIGHTS)
        pick_reason = Picker(rng, [copy_escape(r) for r in ANNULMENT_REASONS])
        pick_types = self._type_sets()
        variants = self._line_variants()
        texts = Picker(rng, [f"{copy_escape(j)}\t{copy_escape(r)}" for j in JUSTIFICATIONS
                              for r in RECOMMENDATIONS])  # fmt: skip
        # EstJM by (type, ámbito, TipoMed): `junta_status_for` itself, once per combination.
        junta = {
            (technology, setting.value, medicine): junta_status_for(technology, setting, medicine)
            for technology in LINE_TYPES
            for setting in CareSetting
            for medicine in (None, *MedicineType)
        }
        content_type = ContentType.objects.get_for_model(Prescription).pk
        tables = (Prescription, TechnologyLine, LineActiveIngredient, Novelty, AuditEntry)
        buffers: dict = {model: [] for model in tables}
        headers, lines, ingredients = (buffers[m] for m in tables[:3])
        novelties, audits = buffers[Novelty], buffers[AuditEntry]
        n_patients, documents = self.n_patients, self.DOCUMENT_TYPES
        active, annulled = PrescriptionStatus.ACTIVA.value, PrescriptionStatus.ANULADA.value
        latest = timezone.now() - timedelta(minutes=1)
        index = chunks = 0
        for day, count in zip(plan.days, plan.per_day, strict=True):
            if not count:
                continue
            prefix, offset = f"{day:%Y%m%d}", plan.offsets[day]
            first = plan.first_number[day]
            seconds = sorted(pick_hour() * 3600 + rng.randrange(3600) for _ in range(count))
            for k, second in enumerate(seconds):
                pid += 1
                number = f"{prefix}{first + k:012d}"
                moment = f"{day} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
                moment += offset
                clinic = pick_ips()
                prescriber, registration = clinic.pick_prescriber()
                sede = rng.choice(clinic.sedes) if clinic.sedes and rng.random() < 0.8 else "\\N"
                patient = int(n_patients * rng.random() ** 1.6)  # a few patients get many
                setting = pick_setting()
                draw = rng.random()  # one draw decides the optional diagnoses
                related_1 = cat.related_diagnosis() if draw < 0.4 else "\\N"
                related_2 = cat.related_diagnosis() if draw < 0.15 else "\\N"
                orphan = cat.orphan() if cat.orphan and draw < 0.01 else "\\N"
                if rng.random() < self.annulled_share:
                    when = datetime.fromisoformat(moment)
                    when += timedelta(seconds=rng.randrange(600, 3 * 86_400))
                    annulled_at = min(when, latest).astimezone(self.zone).isoformat()
                    reason, status = pick_reason(), annulled
                else:
                    annulled_at, reason, status = "\\N", "", active
                headers.append(
                    f"{pid}\t{self._uuid()}\t{number}\t{moment}\t{status}\t{clinic.pk}\t{sede}\t"
                    f"{clinic.reps_code}\t{prescriber}\t{registration}\t{prescriber}\t"
                    f"{first_patient + patient}\t{self.patient_payer[patient]}\t"
                    f"{self.patient_code[patient] or '\\N'}\t{setting}\t"
                    f"{'t' if draw > 0.9 else 'f'}\t{cat.diagnosis()}\t{related_1}\t{related_2}\t"
                    f"{orphan}\t\t{annulled_at}\t{reason}\t[]\n"
                )
                # ConOrden counts per type within the prescription.
                types, types_json = pick_types[plan.line_counts[index]]()
                orders = dict.fromkeys(LINE_TYPES, 0)
                for technology in types:
                    lid += 1
                    orders[technology] += 1
                    supply, kind, description, tail, parts = variants[technology]()
                    lines.append(
                        f"{lid}\t{pid}\t{technology}\t{orders[technology]}\t{supply}\t{texts()}\t"
                        f"{junta[technology, setting, kind]}\t{description}\t{tail}\n"
                    )
                    for part in parts:
                        ingredients.append(f"{lid}\t{part}")
                if self.audit:
                    document = documents[self.patient_document[patient]]
                    audits.append(
                        f"{moment}\t{prescriber}\t{clinic.pk}\t"
                        f"prescriptions.prescription.issued\t{content_type}\t{pid}\t"
                        f'{{"number": "{number}", "patient": "{document} '
                        f'{PATIENT_DOCUMENT_BASE + patient}", "lines": {types_json}}}\n'
                    )
                if status == annulled:
                    actor = clinic.annuller
                    novelties.append(
                        f"{NoveltyType.ANULACION.value}\t{pid}\t{number}\t\t{annulled_at}\t"
                        f"{actor}\t{reason}\n"
                    )
                    if self.audit:
                        data = json.dumps({"number": number, "reason": reason}, ensure_ascii=False)
                        audits.append(
                            f"{annulled_at}\t{actor}\t{clinic.pk}\t"
                            f"prescriptions.prescription.annulled\t{content_type}\t{pid}\t"
                            f"{copy_escape(data)}\n"
                        )
                index += 1
                if len(lines) >= self.chunk:
                    self._flush(buffers, copiers[chunks % len(copiers)])
                    chunks += 1
                    self.say(f"prescriptions {index:,}/{plan.n:,} ({day})")
        self._flush(buffers, copiers[chunks % len(copiers)])

    def _type_sets(self) -> dict[int, Picker]:
        """For each number of lines, a picker of sorted line types (and their JSON for the
        audit entry), drawn with the shares of LINE_TYPES."""
        pick = Picker(self.rng, list(LINE_TYPES), LINE_TYPES.values())
        sets = {}
        for count in range(1, max(self.plan.line_counts, default=1) + 1):
            drawn = [tuple(sorted(pick() for _ in range(count))) for _ in range(POOL)]
            sets[count] = Picker(self.rng, [(types, json.dumps(types)) for types in drawn])
        return sets

    def _line_variants(self) -> dict[str, Picker]:
        """For each technology type, a picker of POOL ready-made lines: (TipoPrest, TipoMed,
        description, the type's columns as COPY text, active ingredients as COPY text
        without the line id). Drawing whole lines from a pool keeps the per-line cost to a
        few operations; the codes in the pool follow the catalogs' skewed shares."""
        rng, cat, names = self.rng, self.cat, self.cat.names
        medicine_type = Picker(rng, list(MEDICINE_TYPES), MEDICINE_TYPES.values())
        hour, day, week, month = (
            TimeUnit.HORA.value,
            TimeUnit.DIA.value,
            TimeUnit.SEMANA.value,
            TimeUnit.MES.value,
        )
        # (every, unit, doses a day) and (amount, unit, days) of common regimens.
        frequencies = [(8, hour, 3), (12, hour, 2), (24, hour, 1), (6, hour, 4)]
        durations = Picker(
            rng,
            [(5, day, 5), (7, day, 7), (10, day, 10), (30, day, 30), (1, month, 30),
             (2, month, 60), (3, month, 90), (90, day, 90)],
            [1, 2, 1, 5, 4, 1, 3, 1],
        )  # fmt: skip
        doses = ["0.5", "1", "1", "2", "5", "10", "20", "50", "100", "500", "1000"]
        strengths = ["5", "10", "20", "25", "40", "50", "100", "250", "500", "850", "1000", "2.5"]
        unica, sucesiva = SupplyType.UNICA.value, SupplyType.SUCESIVA.value
        choice, nothing = rng.choice, "\\N"

        def medicine():
            kind = medicine_type()
            every, frequency_unit, per_day = choice(frequencies)
            amount, duration_unit, days = durations()
            use = choice((1, 1, 1, 1, 2))
            unit, ingredient, strength = cat.unit(), cat.ingredient(), choice(strengths)
            parts = [f"1\t{ingredient}\t{strength}\t{unit}\n"]
            if rng.random() < 0.15:
                parts.append(f"2\t{cat.ingredient()}\t{choice(strengths)}\t{unit}\n")
            tail = _type_columns(
                dose=choice(doses),
                dose_unit=cat.dose_unit(),
                quantity_per_use=use,
                frequency_every=every,
                frequency_unit=frequency_unit,
                duration_amount=amount,
                duration_unit=duration_unit,
                total_quantity=per_day * days * use,
                presentation_unit=cat.presentation(),
                special_indication=choice([SpecialIndication.SIN_INDICACION.value] * 9 + [2]),
                medicine_type=kind.value,
                pharmaceutical_form=cat.form(),
                route=cat.route(),
            )
            supply = sucesiva if days >= 60 and rng.random() < 0.6 else unica
            description = (
                f"{names[ActiveIngredient][ingredient]} {strength} {names[MeasurementUnit][unit]}"
            )
            return supply, kind, description, tail, tuple(parts)

        def procedure():
            code = cat.procedure()
            sessions = choice((1, 1, 1, 1, 2, 3, 5, 10, 12, 20, 30))
            unit = week if sessions > 3 else day
            tail = _type_columns(
                quantity_per_use=1,
                frequency_every=1,
                frequency_unit=unit,
                duration_amount=sessions,
                duration_unit=unit,
                total_quantity=sessions,
                procedure=code,
            )
            return unica, None, names[CupsProcedure][code], tail, ()

        def device():
            code = cat.device()
            tail = _type_columns(
                quantity_per_use=1, total_quantity=rng.randint(1, 5), device_type=code
            )
            return unica, None, names[DeviceType][code], tail, ()

        def nutrition():
            kind = cat.nutritional_type()
            products = cat.nutritional_products.get(kind)
            product = products() if products else None
            every, frequency_unit, per_day = choice(frequencies)
            amount, duration_unit, days = durations()
            tail = _type_columns(
                dose=1,
                dose_unit=cat.dose_unit(),
                quantity_per_use=1,
                frequency_every=every,
                frequency_unit=frequency_unit,
                duration_amount=amount,
                duration_unit=duration_unit,
                total_quantity=per_day * days,
                presentation_unit=cat.presentation(),
                nutritional_type=kind,
                nutritional_product=product or nothing,
                nutritional_form=cat.nutritional_form(),
                nutritional_route=choice([NutritionalRoute.ORAL.value] * 6 + [2]),
            )
            description = (
                names[NutritionalProduct][product]
                if product
                else names[NutritionalProductType][kind]
            )
            return sucesiva if days >= 60 else unica, None, description, tail, ()

        def service():
            code = cat.service()
            months = choice((1, 1, 2, 3, 6))
            tail = _type_columns(
                quantity_per_use=1,
                frequency_every=1,
                frequency_unit=month,
                duration_amount=months,
                duration_unit=month,
                total_quantity=choice((1, 4, 8, 30)) * months,
                complementary_service=code,
            )
            supply = sucesiva if months > 1 else unica
            return supply, None, names[ComplementaryService][code], tail, ()

        makers = {"M": medicine, "P": procedure, "D": device, "N": nutrition, "S": service}
        return {t: Picker(rng, [make() for _ in range(POOL)]) for t, make in makers.items()}


def _type_columns(**values) -> str:
    """The per-type columns of a TechnologyLine row as COPY text: the given ones, the
    others NULL."""
    cells = ["\\N"] * len(_TYPE_FIELDS)
    for name, value in values.items():
        cells[_TYPE_FIELDS[name]] = str(value)
    return "\t".join(cells)


def _age_weight(age: int) -> float:
    """People who get prescriptions: many children under 5, most over 45."""
    if age < 5:
        return 1.2
    if age < 18:
        return 0.6
    if age < 45:
        return 0.9
    if age < 80:
        return 1.6
    return 0.8
