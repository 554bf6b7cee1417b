"""Prescription and tutela bundles of WSMIPRESNOPBS (research §1.9, §3.8): `prescripcion`
(or `tutela`) plus the five technology arrays, with MIPRES's field names. Fields the
prescription module does not model yet (the CausaS…/RznCausaS… justification answers,
PacCovid19, the donor) are emitted as null so clients find every key.

Read as plain rows (QuerySet.values), one query per table whatever the number of
prescriptions: the headers, their lines with the lines' catalog codes, the medicines'
active ingredients, their UNIRS indications (and a tutela's additional rulings), grouped
here by id; no model instances (issue 12.3, docs/benchmarks.md). The views write the
dicts with orjson."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from prescriptions.models import (
    JuntaDecision,
    LineActiveIngredient,
    TechnologyLine,
    TutelaAdditionalRuling,
)

from .supply import day, timestamp

_PATIENT = (
    "patient__document_type",
    "patient__document_number",
    "patient__first_name",
    "patient__middle_name",
    "patient__first_surname",
    "patient__second_surname",
    "patient__mother_document_type",
    "patient__mother_document_number",
)
_DIAGNOSES = (
    "orphan_disease_id",
    "orphan_disease__code",
    "diagnosis__code",
    "related_diagnosis_1__code",
    "related_diagnosis_2__code",
    "payer_code__code",
)
PRESCRIPTION_COLUMNS = (
    "id",
    "number",
    "prescribed_at",
    "habilitation_code",
    "entity__nit",
    "entity__municipality_id",
    "entity__address",
    "entity__phone",
    "sede_id",
    "sede__municipality_id",
    "sede__address",
    "sede__phone",
    "prescriber__document_type",
    "prescriber__document_number",
    "prescriber__first_name",
    "prescriber__middle_name",
    "prescriber__first_surname",
    "prescriber__second_surname",
    "prescriber_registration",
    *_PATIENT,
    "care_setting",
    "referral",
    *_DIAGNOSES,
    "transcription_type",
    "status",
)
TUTELA_COLUMNS = (
    "id",
    "number",
    "registered_at",
    "entity__nit",
    "professional_document_type",
    "professional_document_number",
    "professional_name",
    "professional_registration",
    *_PATIENT,
    *_DIAGNOSES,
    "ruling_number",
    "ruling_date",
    "first_instance_date",
    "second_instance_date",
    "court_date",
    "contempt_date",
    "ruling_clarification",
    "status",
    "medical_justification",
)
LINE_COLUMNS = (
    "id",
    "technology_type",
    "order",
    "supply_type",
    "justification",
    "recommendations",
    "junta_status",
    "description",
    "dose",
    "dose_unit__code",
    "quantity_per_use",
    "frequency_every",
    "frequency_unit",
    "duration_amount",
    "duration_unit",
    "total_quantity",
    "presentation_unit__code",
    "special_indication",
    "medicine_type",
    "pharmaceutical_form__code",
    "route__code",
    "procedure__code",
    "device_type__code",
    "complementary_service_id",
    "complementary_service__code",
    "complementary_service__name",
    "nutritional_type__code",
    "nutritional_product__code",
    "nutritional_form__code",
    "nutritional_route",
)
INGREDIENT_COLUMNS = (
    "line_id",
    "order",
    "ingredient__code",
    "concentration",
    "concentration_unit__code",
    "content",
    "content_unit__code",
)
_UNIRS = TechnologyLine.unirs_indications.through


def _num(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _local(moment):
    """The moment in Bogotá time (settings.TIME_ZONE; the web services never change it)."""
    return moment.astimezone(timezone.get_default_timezone())


def _nulls(*names) -> dict:
    return dict.fromkeys(names)


_MEDICINE_CAUSES = _nulls(
    "CausaS1",
    "CausaS2",
    "CausaS3",
    "CausaS4",
    "MedPBSUtilizado",
    "RznCausaS31",
    "DescRzn31",
    "RznCausaS32",
    "DescRzn32",
    "CausaS5",
    "RznCausaS5",
    "MedPBSDescartado",
    "RznCausaS41",
    "DescRzn41",
    "RznCausaS42",
    "DescRzn42",
    "RznCausaS43",
    "DescRzn43",
    "RznCausaS44",
    "DescRzn44",
    "CausaS6",
)
_PROCEDURE_CAUSES = _nulls(
    "CausaS11",
    "CausaS12",
    "CausaS2",
    "CausaS3",
    "CausaS4",
    "ProPBSUtilizado",
    "CausaS5",
    "ProPBSDescartado",
    "RznCausaS51",
    "DescRzn51",
    "RznCausaS52",
    "DescRzn52",
    "CausaS6",
    "CausaS7",
)
_NUTRITION_CAUSES = _nulls(
    "CausaS1",
    "CausaS2",
    "CausaS3",
    "CausaS4",
    "ProNutUtilizado",
    "RznCausaS41",
    "DescRzn41",
    "RznCausaS42",
    "DescRzn42",
    "CausaS5",
    "ProNutDescartado",
    "RznCausaS51",
    "DescRzn51",
    "RznCausaS52",
    "DescRzn52",
    "RznCausaS53",
    "DescRzn53",
    "RznCausaS54",
    "DescRzn54",
)
_SERVICE_CAUSES = _nulls("CausaS1", "CausaS2", "CausaS3", "CausaS4", "DescCausaS4", "CausaS5")


def _frequency(r: dict, quantity_key: str) -> dict:
    """The tail procedures, devices and complementary services share."""
    return {
        "CanForm": _num(r["quantity_per_use"]),
        "CadaFreUso": r["frequency_every"],
        "CodFreUso": r["frequency_unit"],
        "Cant": r["duration_amount"],
        "CodPerDurTrat": r["duration_unit"],
        "JustNoPBS": r["justification"],
        "IndRec": r["recommendations"],
        "EstJM": r["junta_status"],
        quantity_key: _num(r["total_quantity"]),
    }


def medicamento(r: dict, ingredients: list, indications: list, *, tutela: bool) -> dict:
    return {
        "ConOrden": r["order"],
        "TipoPrest": r["supply_type"],
        "TipoMed": r["medicine_type"],
        **_MEDICINE_CAUSES,
        ("DscMedPA" if tutela else "DescMedPrinAct"): r["description"],
        "CodFF": r["pharmaceutical_form__code"],
        "CodVA": r["route__code"],
        "JustNoPBS": r["justification"],
        "Dosis": _num(r["dose"]),
        "DosisUM": r["dose_unit__code"],
        "NoFAdmon": r["frequency_every"],
        "CodFreAdmon": r["frequency_unit"],
        "IndEsp": r["special_indication"],
        "CanTrat": r["duration_amount"],
        "DurTrat": r["duration_unit"],
        "CantTotalF": _num(r["total_quantity"]),
        "UFCantTotal": r["presentation_unit__code"],
        "IndRec": r["recommendations"],
        "EstJM": r["junta_status"],
        "PrincipiosActivos": [
            {
                "ConOrden": i["order"],
                "CodPriAct": i["ingredient__code"],
                "ConcCant": _num(i["concentration"]),
                "UMedConc": i["concentration_unit__code"],
                "CantCont": _num(i["content"]),
                "UMedCantCont": i["content_unit__code"],
            }
            for i in ingredients
        ],
        "IndicacionesUNIRS": [
            {"ConOrden": index, "CodIndicacion": code}
            for index, code in enumerate(indications, start=1)
        ],
    }


def procedimiento(r: dict) -> dict:
    return {
        "ConOrden": r["order"],
        "TipoPrest": r["supply_type"],
        **_PROCEDURE_CAUSES,
        "CodCUPS": r["procedure__code"],
        **_frequency(r, "CantTotal"),
    }


def dispositivo(r: dict) -> dict:
    return {
        "ConOrden": r["order"],
        "TipoPrest": r["supply_type"],
        "CausaS1": None,
        "CodDisp": r["device_type__code"],
        **_frequency(r, "CantTotal"),
    }


def producto_nutricional(r: dict) -> dict:
    return {
        "ConOrden": r["order"],
        "TipoPrest": r["supply_type"],
        **_NUTRITION_CAUSES,
        "TippProNut": r["nutritional_type__code"],
        "DescProdNutr": r["nutritional_product__code"] or r["description"],
        "CodForma": r["nutritional_form__code"],
        "CodViaAdmon": r["nutritional_route"],
        "JustNoPBS": r["justification"],
        "Dosis": _num(r["dose"]),
        "DosisUM": r["dose_unit__code"],
        "NoFAdmon": r["frequency_every"],
        "CodFreAdmon": r["frequency_unit"],
        "CanTrat": r["duration_amount"],
        "DurTrat": r["duration_unit"],
        "CantTotalF": _num(r["total_quantity"]),
        "UFCantTotal": r["presentation_unit__code"],
        "IndRec": r["recommendations"],
        "NoPrescAso": None,
        "EstJM": r["junta_status"],
        "DXEnfHuer": None,
        "DXVIH": None,
        "DXCaPal": None,
        "DXEnfRCEV": None,
        "IndEsp": r["special_indication"],
    }


def servicio_complementario(r: dict) -> dict:
    service = r["complementary_service_id"] is not None
    return {
        "ConOrden": r["order"],
        "TipoPrest": r["supply_type"],
        **_SERVICE_CAUSES,
        "CodSerComp": r["complementary_service__code"],
        "DescSerComp": r["complementary_service__name"] if service else r["description"],
        **_frequency(r, "CantTotal"),
    }


_ARRAYS = {
    "M": "medicamentos",
    "P": "procedimientos",
    "D": "dispositivos",
    "N": "productosnutricionales",
    "S": "serviciosComplementarios",
}
_WRITERS = {
    "P": procedimiento,
    "D": dispositivo,
    "N": producto_nutricional,
    "S": servicio_complementario,
}


def _technology_arrays(owner: str, ids: list[int], *, tutela: bool) -> dict[int, dict]:
    """The five arrays of each prescription (or tutela) in `ids`, by its id: its lines in
    one query, the medicines' ingredients in one, their UNIRS indications in one."""
    key = f"{owner}_id"
    # Explicit orderings: a model's default one may order by a relation, and so join it.
    lines = (
        TechnologyLine.objects.filter(**{f"{key}__in": ids})
        .order_by(key, "technology_type", "order")
        .values(key, *LINE_COLUMNS)
    )
    lines = list(lines) if ids else []
    medicines = [r["id"] for r in lines if r["technology_type"] == "M"]
    ingredients, indications = defaultdict(list), defaultdict(list)
    if medicines:
        for i in (
            LineActiveIngredient.objects.filter(line_id__in=medicines)
            .order_by("line_id", "order")
            .values(*INGREDIENT_COLUMNS)
        ):
            ingredients[i["line_id"]].append(i)
        for line_id, code in (
            _UNIRS.objects.filter(technologyline_id__in=medicines)
            .order_by(Length("unirsindication__code"), "unirsindication__code")
            .values_list("technologyline_id", "unirsindication__code")
        ):
            indications[line_id].append(code)
    arrays = {pk: {name: [] for name in _ARRAYS.values()} for pk in ids}
    for r in lines:
        kind, bundle = r["technology_type"], arrays.get(r[key])
        if bundle is None:  # its prescription (or tutela) came after the headers were read
            continue
        if kind == "M":
            row = medicamento(r, ingredients[r["id"]], indications[r["id"]], tutela=tutela)
        elif kind in _WRITERS:
            row = _WRITERS[kind](r)
        else:
            continue
        bundle[_ARRAYS[kind]].append(row)
    return arrays


def _patient(r: dict) -> dict:
    return {
        "TipoIDPaciente": r["patient__document_type"],
        "NroIDPaciente": r["patient__document_number"],
        "PNPaciente": r["patient__first_name"],
        "SNPaciente": r["patient__middle_name"],
        "PAPaciente": r["patient__first_surname"],
        "SAPaciente": r["patient__second_surname"],
    }


def _diagnoses(r: dict) -> dict:
    return {
        "EnfHuerfana": 1 if r["orphan_disease_id"] else 0,
        "CodEnfHuerfana": r["orphan_disease__code"],
        "CodDxPpal": r["diagnosis__code"],
        "CodDxRel1": r["related_diagnosis_1__code"],
        "CodDxRel2": r["related_diagnosis_2__code"],
    }


def prescription_header(r: dict) -> dict:
    local = _local(r["prescribed_at"])
    place = "sede__" if r["sede_id"] is not None else "entity__"
    return {
        "NoPrescripcion": r["number"],
        "FPrescripcion": local.date().isoformat(),
        "HPrescripcion": f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}",
        "CodHabIPS": r["habilitation_code"],
        "TipoIDIPS": "NI",
        "NroIDIPS": r["entity__nit"],
        "CodDANEMunIPS": r[f"{place}municipality_id"],
        "DirSedeIPS": r[f"{place}address"],
        "TelSedeIPS": r[f"{place}phone"],
        "TipoIDProf": r["prescriber__document_type"],
        "NumIDProf": r["prescriber__document_number"],
        "PNProfS": r["prescriber__first_name"],
        "SNProfS": r["prescriber__middle_name"],
        "PAProfS": r["prescriber__first_surname"],
        "SAProfS": r["prescriber__second_surname"],
        "RegProfS": r["prescriber_registration"],
        **_patient(r),
        "CodAmbAte": r["care_setting"],
        "RefAmbAte": int(r["referral"]),
        "PacCovid19": None,
        **_diagnoses(r),
        "SopNutricional": None,
        "CodEPS": r["payer_code__code"],
        "TipoIDMadrePaciente": r["patient__mother_document_type"] or None,
        "NroIDMadrePaciente": r["patient__mother_document_number"] or None,
        "TipoTransc": r["transcription_type"],
        "TipoIDDonanteVivo": None,
        "NroIDDonanteVivo": None,
        "EstPres": r["status"],
        "EnfHuerfanaDX": None,
    }


def prescription_bundles(queryset: QuerySet) -> list[dict]:
    """The bundles of `queryset`'s prescriptions, in its order: four queries at most."""
    headers = list(queryset.values(*PRESCRIPTION_COLUMNS))
    arrays = _technology_arrays("prescription", [r["id"] for r in headers], tutela=False)
    return [{"prescripcion": prescription_header(r), **arrays[r["id"]]} for r in headers]


def tutela_header(r: dict) -> dict:
    local = _local(r["registered_at"])
    names = (r["professional_name"] or "").split()
    return {
        "NoTutela": r["number"],
        "FTutela": local.date().isoformat(),
        "HTutela": f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}",
        "TipoIDEPS": "NI",
        "NroIDEPS": r["entity__nit"],
        "TipoIDProf": r["professional_document_type"] or None,
        "NumIDProf": r["professional_document_number"] or None,
        "PNProfS": names[0] if names else None,
        "SNProfS": None,
        "PAProfS": " ".join(names[1:]) or None,
        "SAProfS": None,
        "RegProfS": r["professional_registration"] or None,
        **_patient(r),
        **_diagnoses(r),
        "CodEPS": r["payer_code__code"],
        "TipoIDMadrePaciente": r["patient__mother_document_type"] or None,
        "NroIDMadrePaciente": r["patient__mother_document_number"] or None,
        "NroFallo": r["ruling_number"],
        "FFalloTutela": r["ruling_date"].isoformat(),
        "F1Instan": day(r["first_instance_date"]),
        "F2Instan": day(r["second_instance_date"]),
        "FCorte": day(r["court_date"]),
        "FDesacato": day(r["contempt_date"]),
        "AclFalloTut": r["ruling_clarification"],
        **_nulls("CodDxMotS1", "CodDxMotS2", "CodDxMotS3"),
        **_nulls("CritDef1CC", "CritDef2CC", "CritDef3CC", "CritDef4CC"),
        "EstTut": r["status"],
        "JustifMed": r["medical_justification"],
    }


def tutela_bundles(queryset: QuerySet) -> list[dict]:
    """The bundles of `queryset`'s tutelas, in its order, each with `fallosAdicionales`
    right after `tutela`: five queries at most."""
    headers = list(queryset.values(*TUTELA_COLUMNS))
    ids = [r["id"] for r in headers]
    rulings = defaultdict(list)
    if ids:
        for tutela_id, ruled, number in TutelaAdditionalRuling.objects.filter(
            tutela_id__in=ids
        ).values_list("tutela_id", "ruling_date", "ruling_number"):
            rulings[tutela_id].append({"FFalloAdic": ruled.isoformat(), "NroFalloAdic": number})
    arrays = _technology_arrays("tutela", ids, tutela=True)
    return [
        {"tutela": tutela_header(r), "fallosAdicionales": rulings[r["id"]], **arrays[r["id"]]}
        for r in headers
    ]


def novelties(queryset: QuerySet) -> list[dict]:
    return [
        {
            "prescripcion_novedades": {
                "NoPrescripcion": r["original_number"] or r["prescription__number"],
                "NoPrescripcionF": r["resulting_number"] or None,
                "TipoNov": r["novelty_type"],
                "FNov": timestamp(r["created_at"]),
            }
        }
        for r in queryset.values(
            "original_number",
            "prescription__number",
            "resulting_number",
            "novelty_type",
            "created_at",
        )
    ]


def tutela_novelties(queryset: QuerySet) -> list[dict]:
    return [
        {
            "tutela_novedades": {
                "NoTutela": number,
                "NoTutelaF": None,
                "TipoNov": 2,  # anulación: the only novedad a tutela has here
                "FNov": timestamp(annulled_at),
            }
        }
        for number, annulled_at in queryset.values_list("number", "annulled_at")
    ]


def junta_rows(lines: QuerySet) -> list[dict]:
    """One `junta_profesional` per line of `lines`, with the line's latest decision (two
    queries)."""
    rows = list(
        lines.values(
            "id",
            "technology_type",
            "order",
            "junta_status",
            "prescription__number",
            "prescription__prescribed_at",
            "prescription__habilitation_code",
            "prescription__patient__document_type",
            "prescription__patient__document_number",
        )
    )
    latest = {}
    if rows:
        for d in (
            JuntaDecision.objects.filter(line_id__in=[r["id"] for r in rows])
            .order_by("-decided_at")
            .values(
                "line_id",
                "observations",
                "technical_justification",
                "modality",
                "act_number",
                "act_date",
                "decided_at",
                "entity__reps_code",
                "entity__nit",
            )
        ):
            latest.setdefault(d["line_id"], d)
    return [_junta(r, latest.get(r["id"])) for r in rows]


def _junta(r: dict, d: dict | None) -> dict:
    return {
        "junta_profesional": {
            "NoPrescripcion": r["prescription__number"],
            "FPrescripcion": _local(r["prescription__prescribed_at"]).date().isoformat(),
            "TipoTecnologia": r["technology_type"],
            "Consecutivo": r["order"],
            "EstJM": r["junta_status"],
            "CodEntProc": r["prescription__habilitation_code"],
            "Observaciones": d["observations"] if d else None,
            "JustificacionTecnica": d["technical_justification"] if d else None,
            "Modalidad": d["modality"] if d else None,
            "NoActa": d["act_number"] if d else None,
            "FechaActa": d["act_date"].isoformat() if d else None,
            "FProceso": timestamp(d["decided_at"]) if d else None,
            "TipoIDPaciente": r["prescription__patient__document_type"],
            "NroIDPaciente": r["prescription__patient__document_number"],
            "CodEntJM": (d["entity__reps_code"] or d["entity__nit"]) if d else None,
        }
    }
