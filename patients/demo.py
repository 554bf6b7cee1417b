"""The patient's page in the demo world (issue 15 §6), after the supply demo: a patient with
an e-mail and a phone whose two prescriptions show every state the patient reads (entregada,
pendiente and an overdue one, por direccionar, direccionada, programada, a partial delivery,
no se entregará) and two sucesiva lines near their end, one with a renewal request waiting
for the IPS. The supply demo's chain patient (CC 43100001) gets an e-mail too.

Everything goes through the services, except two dates no service may write: the
prescriptions are dated 20 days back (so their sucesiva lines near their end) and one
pendiente's promise is moved into the past (overdue)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import DEMO_SOURCE
from entities.models import Municipality, Sede
from entities.permissions import Role
from prescriptions.enums import SupplyType, TimeUnit
from prescriptions.models import (
    CupsProcedure,
    Diagnosis,
    NonDeliveryCause,
    Patient,
    Prescription,
)
from prescriptions.selectors import patient_find
from prescriptions.services import affiliation_import, patient_register, patient_update
from prescriptions.services.prescribing import LineData, prescription_issue
from supply import services as supply
from supply.demo import MEDICINES, demo_entity, demo_user, medicine_line
from supply.models import Pendiente
from supply.services.pendientes import pendiente_create

from .models import RenewalRequest
from .services.renewals import renewal_request_create

PATIENT = ("CC", "52100015")
NAMES = ("Lucía", "Fernanda", "Gómez", "Ortiz")
EMAIL = "lucia.gomez@paciente.demo"
PHONE = "3001234567"
CHAIN_PATIENT = ("CC", "43100001")
CHAIN_EMAIL = "maria.zapata@paciente.demo"
DAYS_BACK = 20


def _procedure() -> LineData:
    return LineData(
        technology_type="P",
        supply_type=SupplyType.UNICA,
        justification="Valoración por especialista (demo paciente).",
        total_quantity=Decimal(1),
        fields={
            "procedure": CupsProcedure.objects.get(code="890202"),
            "quantity_per_use": Decimal(1),
            "frequency_every": 1,
            "frequency_unit": TimeUnit.UNICA,
            "duration_amount": 1,
            "duration_unit": TimeUnit.UNICA,
        },
    )


def _patient() -> Patient:
    existing = patient_find(*PATIENT)
    if existing is not None:
        return existing
    first, middle, surname, second = NAMES
    patient = patient_register(
        actor=None,
        entity=demo_entity("ips1"),
        document_type=PATIENT[0],
        document_number=PATIENT[1],
        first_name=first,
        middle_name=middle,
        first_surname=surname,
        second_surname=second,
        birth_date=datetime.date(1975, 6, 21),
        sex="F",
        municipality=Municipality.objects.get(code="05001"),
        address="Carrera 45 # 52-10, Medellín",
        phone=PHONE,
        email=EMAIL,
    )
    affiliation_import(
        [
            {
                "tipo_documento": PATIENT[0],
                "numero_documento": PATIENT[1],
                "codigo_eps": "EPS099",
                "regimen": "contributivo",
                "fecha_afiliacion": "2015-01-01",
                "activo": "1",
                "fecha_retiro": "",
                "primer_nombre": first,
                "segundo_nombre": middle,
                "primer_apellido": surname,
                "segundo_apellido": second,
                "fecha_nacimiento": "1975-06-21",
                "sexo": "F",
                "municipio": "05001",
            }
        ],
        actor=None,
        source=DEMO_SOURCE,
    )
    return patient


class _Supply:
    """The demo's payer, proveedor and dispensador, around the supply services."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.eps, self.prov = demo_entity("eps"), demo_entity("prov1")
        self.eps_admin = demo_user("eps", Role.ADMINISTRATIVO)
        self.prov_admin = demo_user("prov1", Role.ADMINISTRATIVO)
        self.dispensador = demo_user("prov1", Role.DISPENSADOR)
        self.sede1 = Sede.objects.get(entity=self.prov, code="01")
        self.sede2 = Sede.objects.get(entity=self.prov, code="02")

    def direct(self, line, quantity=None, days: int = 10):
        patient = line.prescription.patient
        plan = supply.DeliveryPlan(
            delivery_number=1,
            quantity=Decimal(quantity or line.total_quantity),
            max_delivery_date=self.today + datetime.timedelta(days=days),
        )
        code = next(m.cum for m in MEDICINES.values() if m.description == line.description)
        return supply.direccionamiento_create(
            actor=self.eps_admin,
            entity=self.eps,
            line=line,
            provider=self.prov,
            deliveries=[plan],
            municipality=patient.municipality,
            patient_address=patient.address,
            technology_code=code,
        )[0]

    def program(self, line, sede=None):
        return supply.programacion_create(
            actor=self.prov_admin,
            entity=self.prov,
            direccionamiento=self.direct(line),
            sede=sede or self.sede1,
        )

    def deliver(self, line, quantity=None, cause: str | None = None):
        programacion = self.program(line)
        patient = line.prescription.patient
        return supply.entrega_create(
            actor=self.dispensador,
            entity=self.prov,
            programacion=programacion,
            technology_code=programacion.technology_code,
            quantity=Decimal(quantity) if quantity is not None else programacion.quantity,
            total=cause is None,
            cause=NonDeliveryCause.objects.get(code=cause) if cause else None,
            delivered_on=self.today,
            batch="LOTE-DEMO-PAC",
            receiver_document_type=patient.document_type,
            receiver_document_number=patient.document_number,
        )

    def pendiente(self, line, hours: int = 30, home: bool = False):
        programacion = self.program(line)
        return pendiente_create(
            actor=self.dispensador,
            entity=self.prov,
            programacion=programacion,
            quantity=programacion.quantity,
            promised_at=timezone.now() + datetime.timedelta(hours=hours),
            home_delivery=home,
            address=line.prescription.patient.address if home else "",
        )


def _issue(patient: Patient, lines: list[LineData]) -> Prescription:
    prescription = prescription_issue(
        actor=demo_user("ips1", Role.PRESCRIPTOR),
        entity=demo_entity("ips1"),
        patient=patient,
        care_setting=12,
        diagnosis=Diagnosis.objects.get(code="E119"),
        lines=lines,
    )
    back = timezone.now() - datetime.timedelta(days=DAYS_BACK)
    Prescription.objects.filter(pk=prescription.pk).update(prescribed_at=back)
    prescription.prescribed_at = back
    return prescription


def seed(world: dict) -> None:
    patient = _patient()
    chain = patient_find(*CHAIN_PATIENT)
    if chain is not None and not chain.email:
        patient_update(actor=None, entity=demo_entity("ips1"), patient=chain, email=CHAIN_EMAIL)
    if Prescription.objects.filter(patient=patient).exists():
        return
    s = _Supply()
    # The browser's walk: one line delivered, one pendiente, one not yet directed, and a
    # sucesiva line near its end to ask to renew.
    walk = _issue(
        patient,
        [
            medicine_line("metformina", 30, demo="demo paciente"),
            medicine_line("omeprazol", 28, demo="demo paciente"),
            _procedure(),
            medicine_line("enalapril", 30, sucesiva=True, demo="demo paciente"),
        ],
    )
    lines = {line.key: line for line in walk.lines.all()}
    s.deliver(lines["M1"])
    s.pendiente(lines["M2"])
    # Every other state, and a renewal request waiting for the IPS.
    follow = _issue(
        patient,
        [
            medicine_line("amoxicilina", 21, demo="demo paciente"),
            medicine_line("paracetamol", 20, demo="demo paciente"),
            medicine_line("ibuprofeno", 30, demo="demo paciente"),
            medicine_line("salbutamol", 2, demo="demo paciente"),
            medicine_line("budesonida", 1, demo="demo paciente"),
            medicine_line("levetiracetam", 30, sucesiva=True, demo="demo paciente"),
        ],
    )
    lines = {line.key: line for line in follow.lines.all()}
    s.direct(lines["M1"])
    s.program(lines["M2"], sede=s.sede2)
    s.deliver(lines["M3"], quantity=10, cause="4")  # partial: 20 still owed
    overdue = s.pendiente(lines["M4"], hours=2, home=True)
    Pendiente.objects.filter(pk=overdue.pk).update(
        promised_at=timezone.now() - datetime.timedelta(hours=6)
    )
    supply.no_direccionamiento_create(
        actor=s.eps_admin,
        entity=s.eps,
        line=lines["M5"],
        cause=NonDeliveryCause.objects.get(code="9"),
    )
    renewal_request_create(patient_id=patient.pk, line=lines["M6"])


def credentials() -> dict:
    rows = []
    for (document_type, number), note in (
        (PATIENT, "la página del paciente: cada estado, pendientes y una renovación"),
        (CHAIN_PATIENT, "las cadenas de suministro de la demo"),
    ):
        patient = patient_find(document_type, number)
        numbers = (
            list(
                Prescription.objects.filter(patient=patient, annulled_at__isnull=True)
                .order_by("prescribed_at", "id")
                .values_list("number", flat=True)
            )
            if patient
            else []
        )
        rows.append(
            {
                "document_type": document_type,
                "document_number": number,
                "email": patient.email if patient else "",
                "note": note,
                "prescriptions": numbers,
                "renewal_requests": RenewalRequest.objects.filter(patient=patient).count()
                if patient
                else 0,
            }
        )
    return {"patient_access": rows}
