"""Prescription and tutela bundles of WSMIPRESNOPBS (research §1.9, §3.8): `prescripcion`
(or `tutela`) plus the five technology arrays, with MIPRES's field names. Fields the
prescription module does not model yet (the CausaS…/RznCausaS… justification answers,
PacCovid19, the donor) are emitted as null so clients find every key."""

from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from prescriptions.models import LineActiveIngredient, TechnologyLine

from .supply import timestamp

LINE_RELATED = (
    "dose_unit",
    "presentation_unit",
    "pharmaceutical_form",
    "route",
    "procedure",
    "device_type",
    "complementary_service",
    "nutritional_type",
    "nutritional_product",
    "nutritional_form",
)
PRESCRIPTION_RELATED = (
    "entity",
    "sede",
    "prescriber",
    "patient",
    "payer_code",
    "diagnosis",
    "related_diagnosis_1",
    "related_diagnosis_2",
    "orphan_disease",
)
TUTELA_RELATED = (
    "entity",
    "patient",
    "payer_code",
    "diagnosis",
    "related_diagnosis_1",
    "related_diagnosis_2",
    "orphan_disease",
)


def with_lines(queryset: QuerySet) -> QuerySet:
    """The bundle's rows in four queries whatever their number: the headers, the lines
    with their catalog rows, the lines' active ingredients, their UNIRS indications."""
    lines = TechnologyLine.objects.select_related(*LINE_RELATED).prefetch_related(
        Prefetch(
            "ingredients",
            queryset=LineActiveIngredient.objects.select_related(
                "ingredient", "concentration_unit", "content_unit"
            ),
        ),
        "unirs_indications",
    )
    return queryset.prefetch_related(Prefetch("lines", queryset=lines))


def _num(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _code(row):
    return row.code if row is not None else None


def _nulls(*names) -> dict:
    return dict.fromkeys(names)


def _common(line) -> dict:
    return {"ConOrden": line.order, "TipoPrest": line.supply_type}


def _tail(line, quantity_key: str) -> dict:
    return {
        "JustNoPBS": line.justification,
        "IndRec": line.recommendations,
        "EstJM": line.junta_status,
        quantity_key: _num(line.total_quantity),
    }


def medicamento(line, *, tutela: bool = False) -> dict:
    row = _common(line)
    row["TipoMed"] = line.medicine_type
    row.update(
        _nulls(
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
    )
    row["DscMedPA" if tutela else "DescMedPrinAct"] = line.description
    row.update(
        CodFF=_code(line.pharmaceutical_form),
        CodVA=_code(line.route),
        JustNoPBS=line.justification,
        Dosis=_num(line.dose),
        DosisUM=_code(line.dose_unit),
        NoFAdmon=line.frequency_every,
        CodFreAdmon=line.frequency_unit,
        IndEsp=line.special_indication,
        CanTrat=line.duration_amount,
        DurTrat=line.duration_unit,
        CantTotalF=_num(line.total_quantity),
        UFCantTotal=_code(line.presentation_unit),
        IndRec=line.recommendations,
        EstJM=line.junta_status,
        PrincipiosActivos=[
            {
                "ConOrden": ingredient.order,
                "CodPriAct": ingredient.ingredient.code,
                "ConcCant": _num(ingredient.concentration),
                "UMedConc": ingredient.concentration_unit.code,
                "CantCont": _num(ingredient.content),
                "UMedCantCont": _code(ingredient.content_unit),
            }
            for ingredient in line.ingredients.all()
        ],
        IndicacionesUNIRS=[
            {"ConOrden": index, "CodIndicacion": indication.code}
            for index, indication in enumerate(line.unirs_indications.all(), start=1)
        ],
    )
    return row


def procedimiento(line) -> dict:
    row = _common(line)
    row.update(
        _nulls(
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
    )
    row.update(
        CodCUPS=_code(line.procedure),
        CanForm=_num(line.quantity_per_use),
        CadaFreUso=line.frequency_every,
        CodFreUso=line.frequency_unit,
        Cant=line.duration_amount,
        CodPerDurTrat=line.duration_unit,
        **_tail(line, "CantTotal"),
    )
    return row


def dispositivo(line) -> dict:
    row = _common(line)
    row.update(
        CausaS1=None,
        CodDisp=_code(line.device_type),
        CanForm=_num(line.quantity_per_use),
        CadaFreUso=line.frequency_every,
        CodFreUso=line.frequency_unit,
        Cant=line.duration_amount,
        CodPerDurTrat=line.duration_unit,
        **_tail(line, "CantTotal"),
    )
    return row


def producto_nutricional(line) -> dict:
    row = _common(line)
    row.update(
        _nulls(
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
    )
    row.update(
        TippProNut=_code(line.nutritional_type),
        DescProdNutr=_code(line.nutritional_product) or line.description,
        CodForma=_code(line.nutritional_form),
        CodViaAdmon=line.nutritional_route,
        JustNoPBS=line.justification,
        Dosis=_num(line.dose),
        DosisUM=_code(line.dose_unit),
        NoFAdmon=line.frequency_every,
        CodFreAdmon=line.frequency_unit,
        CanTrat=line.duration_amount,
        DurTrat=line.duration_unit,
        CantTotalF=_num(line.total_quantity),
        UFCantTotal=_code(line.presentation_unit),
        IndRec=line.recommendations,
        NoPrescAso=None,
        EstJM=line.junta_status,
        DXEnfHuer=None,
        DXVIH=None,
        DXCaPal=None,
        DXEnfRCEV=None,
        IndEsp=line.special_indication,
    )
    return row


def servicio_complementario(line) -> dict:
    row = _common(line)
    row.update(_nulls("CausaS1", "CausaS2", "CausaS3", "CausaS4", "DescCausaS4", "CausaS5"))
    service = line.complementary_service
    row.update(
        CodSerComp=_code(service),
        DescSerComp=service.name if service else line.description,
        CanForm=_num(line.quantity_per_use),
        CadaFreUso=line.frequency_every,
        CodFreUso=line.frequency_unit,
        Cant=line.duration_amount,
        CodPerDurTrat=line.duration_unit,
        **_tail(line, "CantTotal"),
    )
    return row


def _arrays(lines, *, tutela: bool = False) -> dict:
    arrays = {
        "medicamentos": [],
        "procedimientos": [],
        "dispositivos": [],
        "productosnutricionales": [],
        "serviciosComplementarios": [],
    }
    for line in sorted(lines, key=lambda item: (item.technology_type, item.order)):
        kind = line.technology_type
        if kind == "M":
            arrays["medicamentos"].append(medicamento(line, tutela=tutela))
        elif kind == "P":
            arrays["procedimientos"].append(procedimiento(line))
        elif kind == "D":
            arrays["dispositivos"].append(dispositivo(line))
        elif kind == "N":
            arrays["productosnutricionales"].append(producto_nutricional(line))
        elif kind == "S":
            arrays["serviciosComplementarios"].append(servicio_complementario(line))
    return arrays


def _person(user) -> dict:
    return {
        "TipoIDProf": user.document_type if user else None,
        "NumIDProf": user.document_number if user else None,
        "PNProfS": user.first_name if user else None,
        "SNProfS": user.middle_name if user else None,
        "PAProfS": user.first_surname if user else None,
        "SAProfS": user.second_surname if user else None,
    }


def _patient(patient) -> dict:
    return {
        "TipoIDPaciente": patient.document_type,
        "NroIDPaciente": patient.document_number,
        "PNPaciente": patient.first_name,
        "SNPaciente": patient.middle_name,
        "PAPaciente": patient.first_surname,
        "SAPaciente": patient.second_surname,
    }


def _diagnoses(record) -> dict:
    return {
        "EnfHuerfana": 1 if record.orphan_disease_id else 0,
        "CodEnfHuerfana": _code(record.orphan_disease),
        "CodDxPpal": _code(record.diagnosis),
        "CodDxRel1": _code(record.related_diagnosis_1),
        "CodDxRel2": _code(record.related_diagnosis_2),
    }


def prescription_bundle(prescription) -> dict:
    local = timezone.localtime(prescription.prescribed_at)
    entity, sede, patient = prescription.entity, prescription.sede, prescription.patient
    header = {
        "NoPrescripcion": prescription.number,
        "FPrescripcion": local.date().isoformat(),
        "HPrescripcion": local.strftime("%H:%M:%S"),
        "CodHabIPS": prescription.habilitation_code,
        "TipoIDIPS": "NI",
        "NroIDIPS": entity.nit,
        "CodDANEMunIPS": sede.municipality_id if sede else entity.municipality_id,
        "DirSedeIPS": sede.address if sede else entity.address,
        "TelSedeIPS": sede.phone if sede else entity.phone,
        **_person(prescription.prescriber),
        "RegProfS": prescription.prescriber_registration,
        **_patient(patient),
        "CodAmbAte": prescription.care_setting,
        "RefAmbAte": int(prescription.referral),
        "PacCovid19": None,
        "EnfHuerfana": None,
        **_diagnoses(prescription),
        "SopNutricional": None,
        "CodEPS": prescription.payer_code.code if prescription.payer_code_id else None,
        "TipoIDMadrePaciente": patient.mother_document_type or None,
        "NroIDMadrePaciente": patient.mother_document_number or None,
        "TipoTransc": prescription.transcription_type,
        "TipoIDDonanteVivo": None,
        "NroIDDonanteVivo": None,
        "EstPres": prescription.status,
    }
    header["EnfHuerfana"] = _diagnoses(prescription)["EnfHuerfana"]
    header["EnfHuerfanaDX"] = None
    return {"prescripcion": header, **_arrays(prescription.lines.all())}


def tutela_bundle(tutela) -> dict:
    local = timezone.localtime(tutela.registered_at)
    patient = tutela.patient
    names = (tutela.professional_name or "").split()
    header = {
        "NoTutela": tutela.number,
        "FTutela": local.date().isoformat(),
        "HTutela": local.strftime("%H:%M:%S"),
        "TipoIDEPS": "NI",
        "NroIDEPS": tutela.entity.nit,
        "TipoIDProf": tutela.professional_document_type or None,
        "NumIDProf": tutela.professional_document_number or None,
        "PNProfS": names[0] if names else None,
        "SNProfS": None,
        "PAProfS": " ".join(names[1:]) or None,
        "SAProfS": None,
        "RegProfS": tutela.professional_registration or None,
        **_patient(patient),
        **_diagnoses(tutela),
        "CodEPS": tutela.payer_code.code if tutela.payer_code_id else None,
        "TipoIDMadrePaciente": patient.mother_document_type or None,
        "NroIDMadrePaciente": patient.mother_document_number or None,
        "NroFallo": tutela.ruling_number,
        "FFalloTutela": tutela.ruling_date.isoformat(),
        "F1Instan": _day(tutela.first_instance_date),
        "F2Instan": _day(tutela.second_instance_date),
        "FCorte": _day(tutela.court_date),
        "FDesacato": _day(tutela.contempt_date),
        "AclFalloTut": tutela.ruling_clarification,
        **_nulls("CodDxMotS1", "CodDxMotS2", "CodDxMotS3"),
        **_nulls("CritDef1CC", "CritDef2CC", "CritDef3CC", "CritDef4CC"),
        "EstTut": tutela.status,
        "JustifMed": tutela.medical_justification,
    }
    additional = [
        {"FFalloAdic": ruling.ruling_date.isoformat(), "NroFalloAdic": ruling.ruling_number}
        for ruling in tutela.additional_rulings.all()
    ]
    return {
        "tutela": header,
        "fallosAdicionales": additional,
        **_arrays(tutela.lines.all(), tutela=True),
    }


def _day(date):
    return date.isoformat() if date else None


def novelty(record) -> dict:
    return {
        "prescripcion_novedades": {
            "NoPrescripcion": record.original_number or record.prescription.number,
            "NoPrescripcionF": record.resulting_number or None,
            "TipoNov": record.novelty_type,
            "FNov": timestamp(record.created_at),
        }
    }


def tutela_novelty(tutela) -> dict:
    return {
        "tutela_novedades": {
            "NoTutela": tutela.number,
            "NoTutelaF": None,
            "TipoNov": 2,  # anulación: the only novedad a tutela has here
            "FNov": timestamp(tutela.annulled_at),
        }
    }


def junta(line, decision) -> dict:
    prescription = line.prescription
    patient = prescription.patient
    return {
        "junta_profesional": {
            "NoPrescripcion": prescription.number,
            "FPrescripcion": timezone.localtime(prescription.prescribed_at).date().isoformat(),
            "TipoTecnologia": line.technology_type,
            "Consecutivo": line.order,
            "EstJM": line.junta_status,
            "CodEntProc": prescription.habilitation_code,
            "Observaciones": decision.observations if decision else None,
            "JustificacionTecnica": decision.technical_justification if decision else None,
            "Modalidad": decision.modality if decision else None,
            "NoActa": decision.act_number if decision else None,
            "FechaActa": decision.act_date.isoformat() if decision else None,
            "FProceso": timestamp(decision.decided_at) if decision else None,
            "TipoIDPaciente": patient.document_type,
            "NroIDPaciente": patient.document_number,
            "CodEntJM": (decision.entity.reps_code or decision.entity.nit) if decision else None,
        }
    }
