"""The supply module's part of the demo world (see accounts/demo.py): chains at every stage,
so each worklist of the payer, the proveedor and the dispensador has rows.

Everything goes through the supply services with the demo users as actors (the EPS and
ET Administrativo, the Administrativo and Dispensador of the proveedor, the IPS's
Dispensador and Administrativo for entregas en ámbito), so every record is valid and
audited. The prescriptions it needs are issued by the demo médico of the prescribing IPS
through `prescription_issue`; the first line of each carries a justification ending in
"(demo suministro: <key>)", which is how `credentials()` finds them again.

Idempotent: it does nothing once its first prescription exists. One sucesiva line (key
"fresca") is left undirected for the browser journey, which directs it in two deliveries.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.demo import BY_KEY, DEMO_PASSWORD, demo_users
from accounts.models import DocumentType, User
from entities import services as entity_services
from entities.models import Entity, NetworkLink, PayerCode, Sede
from entities.permissions import Role
from prescriptions.enums import CareSetting, SupplyType, TimeUnit
from prescriptions.models import (
    ActiveIngredient,
    AdministrationRoute,
    CupsProcedure,
    DeviceType,
    Diagnosis,
    DoseUnit,
    MeasurementUnit,
    NonDeliveryCause,
    PharmaceuticalForm,
    Prescription,
    PresentationUnit,
    TechnologyLine,
)
from prescriptions.selectors import patient_find
from prescriptions.services.prescribing import IngredientData, LineData, prescription_issue

from . import services
from .models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    StepStatus,
    Suministro,
)
from .models.chain import ComparatorKind

MARK = "(demo suministro: {key})"
BATCH = "LOTE-DEMO-2026"


@dataclass(frozen=True)
class Medicine:
    ingredient: str  # DCI code of the starter catalog
    description: str
    strength: int  # mg
    cum: str  # invented CUM code delivered (CodSerTecAEntregar)


MEDICINES = {
    "metformina": Medicine("00965", "METFORMINA 850 mg tableta", 850, "20061001-01"),
    "omeprazol": Medicine("05081", "OMEPRAZOL 20 mg cápsula", 20, "20061002-01"),
    "amoxicilina": Medicine("03230", "AMOXICILINA 500 mg cápsula", 500, "20061003-01"),
    "paracetamol": Medicine("00626", "PARACETAMOL 500 mg tableta", 500, "20061004-01"),
    "ibuprofeno": Medicine("02118", "IBUPROFENO 400 mg tableta", 400, "20061005-01"),
    "salbutamol": Medicine("02585", "SALBUTAMOL 100 mcg inhalador", 100, "20061006-01"),
    "budesonida": Medicine("04145", "BUDESONIDA 200 mcg inhalador", 200, "20061007-01"),
    "enalapril": Medicine("05117", "ENALAPRIL 20 mg tableta", 20, "20061008-01"),
    "levetiracetam": Medicine("06450", "LEVETIRACETAM 500 mg tableta", 500, "20061009-01"),
}

# The demo prescriptions of the supply module: key → (patient document, ámbito, what it
# shows). Their lines are built in `_lines`.
PATIENT_A = ("CC", "43100001")  # contributivo, EPS099
PATIENT_B = ("CC", "71100002")  # subsidiado, EPSS99 (Antioquia)
PATIENT_C = ("TI", "1036600005")  # contributivo, EPS099
PATIENT_ET = ("CC", "71100004")  # without affiliation: the ET of Antioquia pays
AMB = CareSetting.AMBULATORIO_NO_PRIORIZADO
PRESCRIPTIONS = {
    "cadena": (PATIENT_A, AMB, "cadenas en cada etapa (EPS099 → proveedor 1)"),
    "subsidiado": (PATIENT_B, AMB, "subsidiado: copago, no direccionamiento, redireccionada"),
    "anulaciones": (PATIENT_C, AMB, "un paso anulado en cada etapa"),
    "hospitalaria": (PATIENT_A, CareSetting.HOSPITALARIO_INTERNACION, "entregas en ámbito"),
    "procedimiento": (PATIENT_A, AMB, "dispositivo incluido en el procedimiento"),
    "territorial": (PATIENT_ET, AMB, "la paga la entidad territorial"),
    "fresca": (PATIENT_A, AMB, "línea sucesiva sin direccionar (recorrido del navegador)"),
    "otros": (PATIENT_C, AMB, "direccionada sin programar al proveedor 2 y a la IPS 2"),
}
FRESH_KEY, FRESH_LINE = "fresca", "M1"

# (entity key, role) of each supply step's demo user.
STEP_USERS = [
    (
        "eps",
        Role.ADMINISTRATIVO,
        "pagador",
        "direcciona, no direcciona, suministro y datos facturados",
    ),
    ("et", Role.ADMINISTRATIVO, "pagador", "direcciona lo que paga la entidad territorial"),
    ("prov1", Role.ADMINISTRATIVO, "proveedor", "programa, reporta y factura"),
    ("prov1", Role.DISPENSADOR, "dispensador", "entrega lo programado en sus sedes"),
    ("ips2", Role.ADMINISTRATIVO, "proveedor", "programa el procedimiento direccionado"),
    ("ips1", Role.DISPENSADOR, "dispensador_ambito", "entrega en ámbito (hospitalaria)"),
    ("ips1", Role.ADMINISTRATIVO, "proveedor", "reporta y factura las entregas en ámbito"),
]
# Network links the chains need (payer key, código EPS or None, territory key, provider).
NEEDED_LINKS = [
    ("eps", "EPS099", None, "prov1"),
    ("eps", "EPS099", None, "prov2"),
    ("eps", "EPS099", None, "ips2"),
    ("eps", "EPSS99", "et", "prov1"),
    ("et", None, None, "prov1"),
]


def demo_entity(key: str) -> Entity:
    return Entity.objects.get(nit=BY_KEY[key].nit)


def _number(entity_key: str, role: str) -> str:
    return next(
        u.document_number for u in demo_users() if u.entity.key == entity_key and u.role == role
    )


def demo_user(entity_key: str, role: str) -> User:
    return User.objects.get(
        document_type=DocumentType.CC, document_number=_number(entity_key, role)
    )


def _mark(key: str) -> str:
    return MARK.format(key=key)


# -- prescriptions ------------------------------------------------------------------------


def medicine_line(
    name: str,
    total: int,
    *,
    key: str = "",
    sucesiva: bool = False,
    months: int = 1,
    demo: str = "demo",
) -> LineData:
    """A line of one of the demo's MEDICINES: `key` marks it for the supply demo's stages;
    `demo` names the demo in its justification otherwise."""
    spec = MEDICINES[name]
    reason = "Tratamiento según guía de práctica clínica"
    return LineData(
        technology_type="M",
        supply_type=SupplyType.SUCESIVA if sucesiva else SupplyType.UNICA,
        justification=f"{reason} {_mark(key)}" if key else f"{reason} ({demo}).",
        total_quantity=Decimal(total),
        fields={
            "medicine_type": 1,
            "pharmaceutical_form": PharmaceuticalForm.objects.get(code="COLFF001"),
            "route": AdministrationRoute.objects.get(code="048"),
            "dose": Decimal(spec.strength),
            "dose_unit": DoseUnit.objects.get(code="0168"),
            "frequency_every": 24,
            "frequency_unit": TimeUnit.HORA,
            "duration_amount": months if sucesiva else 30,
            "duration_unit": TimeUnit.MES if sucesiva else TimeUnit.DIA,
            "presentation_unit": PresentationUnit.objects.get(code="11"),
            "special_indication": 10,
            "description": spec.description,
        },
        ingredients=[
            IngredientData(
                ActiveIngredient.objects.get(code=spec.ingredient),
                Decimal(spec.strength),
                MeasurementUnit.objects.get(code="0168"),
            )
        ],
    )


def _procedure(code: str, *, key: str) -> LineData:
    return LineData(
        technology_type="P",
        supply_type=SupplyType.UNICA,
        justification=f"Valoración por especialista {_mark(key)}",
        total_quantity=Decimal(1),
        fields={
            "procedure": CupsProcedure.objects.get(code=code),
            "quantity_per_use": Decimal(1),
            "frequency_every": 1,
            "frequency_unit": TimeUnit.UNICA,
            "duration_amount": 1,
            "duration_unit": TimeUnit.UNICA,
        },
    )


def _device(code: str) -> LineData:
    return LineData(
        technology_type="D",
        supply_type=SupplyType.UNICA,
        justification="Se adapta durante la valoración (demo).",
        total_quantity=Decimal(1),
        fields={"device_type": DeviceType.objects.get(code=code), "quantity_per_use": Decimal(1)},
    )


def _lines(key: str) -> list[LineData]:
    m = medicine_line
    return {
        "cadena": [
            m("metformina", 90, key=key, sucesiva=True, months=3),  # M1: 3 monthly deliveries
            m("omeprazol", 28),  # M2: directed, FecMaxEnt in 3 days
            m("amoxicilina", 21),  # M3: directed, in 20 days
            m("paracetamol", 20),  # M4: directed, FecMaxEnt today
            m("ibuprofeno", 30),  # M5: programmed at sede 02
            m("salbutamol", 2),  # M6: delivered partially
            m("budesonida", 1),  # M7: delivered totally
            m("enalapril", 30),  # M8: reported
            m("levetiracetam", 60),  # M9: invoiced (cuota moderadora)
        ],
        "subsidiado": [
            m("omeprazol", 28, key=key),  # M1: invoiced with copago, datos facturados
            m("enalapril", 30),  # M2: no direccionamiento (cause 9)
            m("metformina", 60),  # M3: directed, annulled, directed again
        ],
        "anulaciones": [
            m("metformina", 30, key=key),  # M1: direccionamiento annulled
            m("omeprazol", 28),  # M2: programación annulled
            m("amoxicilina", 21),  # M3: entrega annulled
            m("paracetamol", 20),  # M4: reporte annulled
            m("ibuprofeno", 30),  # M5: facturación annulled
            m("enalapril", 30),  # M6: datos facturados annulled
            m("levetiracetam", 60),  # M7: suministro annulled
            m("salbutamol", 2),  # M8: no direccionamiento annulled
        ],
        "hospitalaria": [
            m("amoxicilina", 21, key=key),  # M1: en ámbito, total, reported
            m("paracetamol", 20),  # M2: en ámbito, partial
        ],
        "procedimiento": [_procedure("890202", key=key), _device("041")],
        "territorial": [m("metformina", 60, key=key)],
        "fresca": [m("enalapril", 60, key=key, sucesiva=True, months=2)],
        "otros": [m("omeprazol", 28, key=key), m("amoxicilina", 21)],
    }[key]


def _issue(key: str) -> Prescription:
    (document_type, document_number), setting, _note = PRESCRIPTIONS[key]
    return prescription_issue(
        actor=demo_user("ips1", Role.PRESCRIPTOR),
        entity=demo_entity("ips1"),
        patient=patient_find(document_type, document_number),
        care_setting=setting,
        diagnosis=Diagnosis.objects.get(code="E119"),
        related_diagnosis_1=Diagnosis.objects.get(code="I10X"),
        lines=_lines(key),
    )


def demo_scope():
    """The demo IPS's prescriptions for the demo patients (the supply demo's and the
    prescription demo's): what `credentials()` looks at, an indexed few rows even in a
    benchmark database with millions of others."""
    patients = Q()
    for document_type, document_number in {p[0] for p in PRESCRIPTIONS.values()}:
        patients |= Q(
            patient__document_type=document_type, patient__document_number=document_number
        )
    return Prescription.objects.filter(patients, entity__nit=BY_KEY["ips1"].nit)


def demo_prescription(key: str) -> Prescription | None:
    """The supply demo's prescription `key` (see PRESCRIPTIONS), or None before seeding."""
    line = (
        TechnologyLine.objects.filter(
            justification__endswith=_mark(key), prescription__in=demo_scope()
        )
        .select_related("prescription")
        .order_by("pk")
        .first()
    )
    return line.prescription if line else None


# -- the chains ---------------------------------------------------------------------------


class _Chains:
    """The demo actors and short helpers around the services."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.eps, self.et = demo_entity("eps"), demo_entity("et")
        self.prov1, self.ips1, self.ips2 = (
            demo_entity("prov1"),
            demo_entity("ips1"),
            demo_entity("ips2"),
        )
        self.eps_admin = demo_user("eps", Role.ADMINISTRATIVO)
        self.et_admin = demo_user("et", Role.ADMINISTRATIVO)
        self.prov_admin = demo_user("prov1", Role.ADMINISTRATIVO)
        self.dispensador = demo_user("prov1", Role.DISPENSADOR)
        self.ips1_dispensador = demo_user("ips1", Role.DISPENSADOR)
        self.ips1_admin = demo_user("ips1", Role.ADMINISTRATIVO)
        self.ips2_admin = demo_user("ips2", Role.ADMINISTRATIVO)
        self.sede1 = Sede.objects.get(entity=self.prov1, code="01")
        self.sede2 = Sede.objects.get(entity=self.prov1, code="02")
        self.causes = {c.code: c for c in NonDeliveryCause.objects.all()}

    def plan(self, number: int, quantity, days: int) -> services.DeliveryPlan:
        return services.DeliveryPlan(
            delivery_number=number,
            quantity=Decimal(quantity),
            max_delivery_date=self.today + datetime.timedelta(days=days),
        )

    def direct(self, line, deliveries, *, provider=None, payer=None, actor=None):
        patient = line.prescription.patient
        return services.direccionamiento_create(
            actor=actor or self.eps_admin,
            entity=payer or self.eps,
            line=line,
            provider=provider or self.prov1,
            deliveries=deliveries,
            municipality=patient.municipality,
            patient_address=patient.address or "Sin dirección registrada",
            technology_code=_code(line),
        )

    def program(self, direccionamiento, *, sede=None, provider=None, actor=None):
        return services.programacion_create(
            actor=actor or self.prov_admin,
            entity=provider or self.prov1,
            direccionamiento=direccionamiento,
            sede=sede or self.sede1,
        )

    def deliver(self, programacion, *, quantity=None, cause: str | None = None):
        quantity = programacion.quantity if quantity is None else Decimal(quantity)
        return services.entrega_create(
            actor=self.dispensador,
            entity=self.prov1,
            programacion=programacion,
            technology_code=programacion.technology_code,
            quantity=quantity,
            total=cause is None,
            cause=self.causes[cause] if cause else None,
            delivered_on=self.today,
            batch=BATCH,
            receiver_document_type=programacion.deliverable.prescription.patient.document_type,
            receiver_document_number=_receiver(programacion.deliverable.prescription),
        )

    def report(self, entrega, *, value_each=Decimal("350.00"), provider=None, actor=None):
        return services.reporte_entrega_create(
            actor=actor or self.prov_admin,
            entity=provider or self.prov1,
            entrega=entrega,
            delivered=True,
            value=entrega.quantity * value_each,
        )

    def invoice(self, reporte, *, cuota=Decimal(0), copago=Decimal(0), unit=Decimal("350.00")):
        units = reporte.entrega.quantity
        return services.facturacion_create(
            actor=self.prov_admin,
            entity=self.prov1,
            reporte=reporte,
            invoice_number=f"FE-DEMO-{reporte.pk:05d}",
            units=units,
            unit_value=unit,
            cuota_moderadora=cuota,
            copago=copago,
        )

    def datos(self, facturacion):
        return services.datos_facturados_create(
            actor=self.eps_admin,
            entity=self.eps,
            facturacion=facturacion,
            comparator=ComparatorKind.NO_APLICA,
            total_delivered=facturacion.units,
        )

    def suministro(self, entrega, *, last: bool = True):
        return services.suministro_create(
            actor=self.eps_admin,
            entity=self.eps,
            deliverable=entrega.deliverable,
            last_delivery=last,
            complete=True,
            quantity=entrega.quantity,
            value=entrega.quantity * Decimal("350.00"),
            batch=BATCH,
        )

    def chain(self, line, *, until: str, days: int = 10, **invoice):
        """Direct `line` whole to proveedor 1 and carry it up to step `until`; returns
        the records made, by step name."""
        steps = {}
        steps["direccionamiento"] = self.direct(line, [self.plan(1, line.total_quantity, days)])[0]
        order = ["programacion", "entrega", "reporte", "facturacion", "datos", "suministro"]
        for step in order[: order.index(until) + 1]:
            if step == "programacion":
                steps[step] = self.program(steps["direccionamiento"])
            elif step == "entrega":
                steps[step] = self.deliver(steps["programacion"])
            elif step == "reporte":
                steps[step] = self.report(steps["entrega"])
            elif step == "facturacion":
                steps[step] = self.invoice(steps["reporte"], **invoice)
            elif step == "datos":
                steps[step] = self.datos(steps["facturacion"])
            else:
                steps[step] = self.suministro(steps["entrega"])
        return steps

    def annul(self, step, *, actor, entity, reason: str):
        return services.step_annul(actor=actor, entity=entity, step=step, reason=reason)


def _code(line: TechnologyLine) -> str:
    if line.technology_type == "M":
        return next(m.cum for m in MEDICINES.values() if m.description == line.description)
    if line.technology_type == "P":
        return line.procedure.code
    return line.device_type.code


def _receiver(prescription: Prescription) -> str:
    return prescription.patient.document_number


def _ensure_links() -> None:
    """The network links the chains need (accounts/demo.py makes them today; a later change
    there must not break the supply demo)."""
    for payer_key, code, territory_key, provider_key in NEEDED_LINKS:
        payer, provider = demo_entity(payer_key), demo_entity(provider_key)
        payer_code = PayerCode.objects.get(code=code) if code else None
        territory = demo_entity(territory_key) if territory_key else None
        if not NetworkLink.objects.active().filter(
            payer=payer, payer_code=payer_code, provider=provider, territory=territory
        ):
            entity_services.network_link_activate(
                actor=None,
                payer=payer,
                provider=provider,
                payer_code=payer_code,
                territory=territory,
            )


def seed(world: dict) -> None:
    if demo_prescription("cadena") is not None:
        return
    _ensure_links()
    c = _Chains()
    rx = {key: _issue(key) for key in PRESCRIPTIONS}
    lines = {key: {ln.key: ln for ln in p.lines.all()} for key, p in rx.items()}
    world["supply_prescriptions"] = rx

    # Cadena: a sucesiva line in three monthly deliveries at three stages, and one line at
    # each stage of the chain.
    cadena = lines["cadena"]
    first, second, _third = c.direct(
        cadena["M1"], [c.plan(1, 30, 5), c.plan(2, 30, 35), c.plan(3, 30, 65)]
    )
    entrega = c.deliver(c.program(first))
    factura = c.invoice(c.report(entrega), cuota=Decimal("4500.00"))
    c.datos(factura)
    c.suministro(entrega, last=False)
    c.program(second, sede=c.sede2)
    c.direct(cadena["M2"], [c.plan(1, 28, 3)])
    c.direct(cadena["M3"], [c.plan(1, 21, 20)])
    c.direct(cadena["M4"], [c.plan(1, 20, 0)])
    c.program(c.direct(cadena["M5"], [c.plan(1, 30, 12)])[0], sede=c.sede2)
    programacion = c.chain(cadena["M6"], until="programacion")["programacion"]
    c.deliver(programacion, quantity=1, cause="4")  # presentación no fraccionable
    c.chain(cadena["M7"], until="entrega")
    c.chain(cadena["M8"], until="reporte")
    c.chain(cadena["M9"], until="facturacion", cuota=Decimal("4500.00"))

    # Subsidiado: copago, a no direccionamiento, a direccionamiento annulled and redone.
    subsidiado = lines["subsidiado"]
    c.chain(subsidiado["M1"], until="datos", copago=Decimal("3360.00"))
    services.no_direccionamiento_create(
        actor=c.eps_admin, entity=c.eps, line=subsidiado["M2"], cause=c.causes["9"]
    )
    wrong = c.direct(subsidiado["M3"], [c.plan(1, 60, 25)])[0]
    c.annul(
        wrong,
        actor=c.eps_admin,
        entity=c.eps,
        reason="Se direccionó con la fecha máxima equivocada (demo).",
    )
    c.direct(subsidiado["M3"], [c.plan(1, 60, 8)])

    # Anulaciones: on each line the newest step annulled by whoever recorded it; the step
    # before it is active again.
    a = lines["anulaciones"]
    prov = {"actor": c.prov_admin, "entity": c.prov1}
    payer = {"actor": c.eps_admin, "entity": c.eps}
    for key, until, who, reason in [
        ("M1", None, payer, "El paciente cambió de proveedor de preferencia (demo)."),
        ("M2", "programacion", prov, "Se programó en la sede equivocada (demo)."),
        ("M3", "entrega", {"actor": c.dispensador, "entity": c.prov1}, "Lote mal digitado."),
        ("M4", "reporte", prov, "El valor reportado no correspondía (demo)."),
        ("M5", "facturacion", prov, "Factura anulada por la DIAN (demo)."),
        ("M6", "datos", payer, "El comparador registrado no era el correcto (demo)."),
        ("M7", "suministro", payer, "El suministro se reportó antes de tiempo (demo)."),
    ]:
        if until is None:
            step = c.direct(a[key], [c.plan(1, a[key].total_quantity, 10)])[0]
        else:
            step = c.chain(a[key], until=until)[until]
        c.annul(step, reason=reason, **who)
    no_direct = services.no_direccionamiento_create(
        actor=c.eps_admin, entity=c.eps, line=a["M8"], cause=c.causes["6"]
    )
    c.annul(no_direct, reason="La BDUA confirma la afiliación a esta EPS (demo).", **payer)

    # Hospitalaria: entregas en ámbito by the prescribing IPS, one reported.
    hospital = lines["hospitalaria"]
    ips_sede = Sede.objects.get(entity=c.ips1, code="01")
    for key, quantity, cause in (("M1", 21, None), ("M2", 10, "12")):
        entrega = services.entrega_ambito_create(
            actor=c.ips1_dispensador,
            entity=c.ips1,
            line=hospital[key],
            delivery_number=1,
            sede=ips_sede,
            technology_code=_code(hospital[key]),
            quantity=Decimal(quantity),
            total=cause is None,
            cause=c.causes[cause] if cause else None,
            delivered_on=c.today,
            batch=BATCH,
            receiver_document_type=DocumentType.CC,
            receiver_document_number=PATIENT_A[1],
        )
        if cause is None:
            c.report(entrega, provider=c.ips1, actor=c.ips1_admin)

    # Procedimiento: the device goes with the procedure, directed to IPS 2 and programmed.
    procedure = lines["procedimiento"]
    services.procedure_supply_create(
        actor=c.eps_admin, entity=c.eps, line=procedure["D1"], procedure_line=procedure["P1"]
    )
    directed = c.direct(procedure["P1"], [c.plan(1, 1, 14)], provider=c.ips2)[0]
    c.program(
        directed,
        sede=Sede.objects.get(entity=c.ips2, code="01"),
        provider=c.ips2,
        actor=c.ips2_admin,
    )

    # Otros: work waiting for the other demo providers (their web-service clients start from
    # a direccionamiento not yet programmed).
    otros = lines["otros"]
    c.direct(otros["M1"], [c.plan(1, 28, 9)], provider=demo_entity("prov2"))
    c.direct(otros["M2"], [c.plan(1, 21, 11)], provider=c.ips2)

    # Territorial: the entidad territorial directs what it pays for.
    c.direct(
        lines["territorial"]["M1"],
        [c.plan(1, 60, 18)],
        payer=c.et,
        actor=c.et_admin,
    )


# -- credentials --------------------------------------------------------------------------


def _label(deliverable: Deliverable) -> str:
    return (
        f"{deliverable.prescription.number} {deliverable.line.key} "
        f"entrega {deliverable.delivery_label}"
    )


def stage_queries() -> dict[str, tuple[str, str, object]]:
    """Each demo stage: (description, who works it, queryset of the deliverables or lines
    at that stage). Shared by `credentials()` and the tests."""
    prov1 = Q(entity__nit=BY_KEY["prov1"].nit)
    active, processed = StepStatus.ACTIVO, StepStatus.PROCESADO
    scope = demo_scope()
    deliverables = Deliverable.objects.filter(prescription__in=scope).select_related(
        "prescription", "line"
    )

    def at(model, *conditions, **filters):
        return deliverables.filter(
            pk__in=model.objects.filter(*conditions, **filters).values("deliverable_id")
        ).order_by("pk")

    payer = f"CC {_number('eps', Role.ADMINISTRATIVO)}"
    provider = f"CC {_number('prov1', Role.ADMINISTRATIVO)}"
    dispensador = f"CC {_number('prov1', Role.DISPENSADOR)}"
    return {
        "direccionada": (
            "Direccionada, pendiente de programación (luces de FecMaxEnt: hoy, ≤ 15, ≤ 30, "
            "a tiempo)",
            provider,
            at(Direccionamiento, status=active),
        ),
        "programada": (
            "Programada, pendiente de entrega",
            dispensador,
            at(Programacion, prov1, status=active),
        ),
        "entregada_parcial": (
            "Entregada parcialmente (con causa), pendiente de reporte",
            provider,
            at(Entrega, status=active, total=False),
        ),
        "entregada_total": (
            "Entregada totalmente, pendiente de reporte",
            provider,
            at(Entrega, status=active, total=True),
        ),
        "reportada": (
            "Reportada, pendiente de facturación",
            provider,
            at(ReporteEntrega, status=active),
        ),
        "facturada_cuota": (
            "Facturada con cuota moderadora",
            payer,
            at(Facturacion, Q(status__in=(active, processed)), cuota_moderadora__gt=0),
        ),
        "facturada_copago": (
            "Facturada con copago",
            payer,
            at(Facturacion, Q(status__in=(active, processed)), copago__gt=0),
        ),
        "datos_facturados": (
            "Con datos facturados del pagador",
            payer,
            at(DatosFacturados, status=active),
        ),
        "suministro": (
            "Con reporte de suministro del pagador",
            payer,
            at(Suministro, status=active),
        ),
        "en_ambito": (
            "Entregada en ámbito por la IPS que prescribió",
            f"CC {_number('ips1', Role.DISPENSADOR)}",
            at(Entrega, Q(status__in=(active, processed)), in_ambito=True),
        ),
        **{
            f"anulada_{name}": (
                f"Con {label} anulado(a)",
                payer
                if name in ("direccionamiento", "datos_facturados", "suministro")
                else provider,
                at(model, status=StepStatus.ANULADO),
            )
            for name, label, model in [
                ("direccionamiento", "direccionamiento", Direccionamiento),
                ("programacion", "programación", Programacion),
                ("entrega", "entrega", Entrega),
                ("reporte", "reporte de entrega", ReporteEntrega),
                ("facturacion", "facturación", Facturacion),
                ("datos_facturados", "datos facturados", DatosFacturados),
                ("suministro", "suministro", Suministro),
            ]
        },
        "no_direccionada": (
            "Con no direccionamiento activo (causa 9) y otro anulado (causa 6)",
            payer,
            TechnologyLine.objects.filter(
                prescription__in=scope, pk__in=NoDireccionamiento.objects.values("line_id")
            )
            .select_related("prescription")
            .order_by("pk"),
        ),
        "incluida_en_procedimiento": (
            "Dispositivo incluido en el procedimiento (no se direcciona aparte)",
            payer,
            TechnologyLine.objects.filter(
                prescription__in=scope,
                pk__in=ProcedureSupply.objects.filter(status=active).values("line_id"),
            )
            .select_related("prescription")
            .order_by("pk"),
        ),
    }


def credentials() -> dict:
    users = []
    for entity_key, role, step, note in STEP_USERS:
        spec = BY_KEY[entity_key]
        users.append(
            {
                "step": step,
                "document_type": DocumentType.CC.value,
                "document_number": _number(entity_key, role),
                "login": f"CC {_number(entity_key, role)}",
                "password": DEMO_PASSWORD,
                "entity_nit": spec.nit,
                "entity_name": spec.name,
                "roles": [str(role)],
                "note": note,
            }
        )
    stages = []
    for stage, (description, user, rows) in stage_queries().items():
        items = [
            f"{row.prescription.number} {row.key}"
            if isinstance(row, TechnologyLine)
            else _label(row)
            for row in rows
        ]
        stages.append({"stage": stage, "description": description, "user": user, "items": items})
    fresh = demo_prescription(FRESH_KEY)
    stages.append(
        {
            "stage": "fresca",
            "description": "Línea sucesiva de 60 sin direccionar: el recorrido del navegador "
            "la direcciona en dos entregas de 30 al proveedor 1",
            "user": f"CC {_number('eps', Role.ADMINISTRATIVO)}",
            "items": [f"{fresh.number} {FRESH_LINE}"] if fresh else [],
            "prescription_number": fresh.number if fresh else None,
            "line": FRESH_LINE,
            "provider_nit": BY_KEY["prov1"].nit,
            "patient": " ".join(PRESCRIPTIONS[FRESH_KEY][0]),
        }
    )
    prescriptions = []
    for key, (patient, _setting, note) in PRESCRIPTIONS.items():
        prescription = demo_prescription(key)
        prescriptions.append(
            {
                "key": key,
                "number": prescription.number if prescription else None,
                "patient": " ".join(patient),
                "note": note,
            }
        )
    return {
        "supply_users": users,
        "supply_stages": stages,
        "supply_prescriptions": prescriptions,
    }
