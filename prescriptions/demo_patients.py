"""Demo patients and their BDUA affiliations (invented people; documents chosen not to
collide with the demo users, who are CC 1000000001–1000000999 and 1000009xxx).

`seed_demo_patients()` is idempotent and needs the demo world of accounts.demo (its IPS
and the demo códigos EPS EPS099, EPSS99 and EAS099, the ET of Antioquia). Patients of
Medellín and Bogotá are registered by the demo IPS of their city through Admisión's
service; those of Cali come only from the BDUA rows, as the import creates them.
Affiliations go through the same import as a real BDUA file, with source "demo".
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from accounts.demo import BY_KEY
from accounts.models import DEMO_SOURCE
from entities.models import Entity, Municipality

from .models import Patient
from .selectors import patient_find
from .services import affiliation_import, patient_register


@dataclass(frozen=True)
class DemoPatient:
    document_type: str
    document_number: str
    names: tuple[str, str, str, str]
    birth_date: date
    sex: str
    municipality: str
    ips: str | None  # demo IPS key that registered the patient; None: created from BDUA
    affiliations: tuple = ()  # (code, régimen, start date, active)
    note: str = ""
    address: str = ""
    phone: str = ""

    @property
    def name(self) -> str:
        return " ".join(part for part in self.names if part)


PATIENTS = [
    DemoPatient(
        "CC",
        "43100001",
        ("María", "Elena", "Zapata", "Restrepo"),
        date(1968, 3, 14),
        "F",
        "05001",
        "ips1",
        (("EPS099", "contributivo", date(2012, 2, 1), True),),
        "contributivo; madre del recién nacido sin documento",
        "Calle 10 # 43-20, Medellín",
        "604 2660001",
    ),
    DemoPatient(
        "CC",
        "71100002",
        ("Luis", "Alberto", "Mejía", "Posada"),
        date(1955, 11, 2),
        "M",
        "05001",
        "ips1",
        (("EPSS99", "subsidiado", date(2016, 7, 1), True),),
        "subsidiado",
        "Carrera 52 # 60-11, Medellín",
    ),
    DemoPatient(
        "CC",
        "43100003",
        ("Rosa", "Amelia", "Cardona", "Giraldo"),
        date(1949, 7, 21),
        "F",
        "05001",
        "ips1",
        (("EPSS99", "subsidiado", date(2017, 1, 15), True),),
        "subsidiado; paciente crónica (renovaciones)",
        "Calle 44 # 80-15, Medellín",
    ),
    DemoPatient(
        "CC",
        "71100004",
        ("Jhon", "Fredy", "Arango", "Tobón"),
        date(1980, 5, 9),
        "M",
        "05001",
        "ips1",
        (),
        "sin afiliación: paga la Secretaría Seccional de Salud de Antioquia (demo)",
        "Carrera 65 # 8B-91, Medellín",
    ),
    DemoPatient(
        "TI",
        "1036600005",
        ("Samuel", "", "Restrepo", "Zapata"),
        date(2012, 9, 30),
        "M",
        "05001",
        "ips1",
        (("EPS099", "contributivo", date(2012, 10, 5), True),),
        "menor con tarjeta de identidad, beneficiario contributivo",
        "Calle 10 # 43-20, Medellín",
    ),
    DemoPatient(
        "CC",
        "52100007",
        ("Claudia", "Patricia", "Rincón", "Suárez"),
        date(1975, 1, 25),
        "F",
        "11001",
        "ips2",
        (("EPS099", "contributivo", date(2005, 3, 1), True),),
        "contributivo",
        "Calle 134 # 19-40, Bogotá",
        "601 6250007",
    ),
    DemoPatient(
        "CC",
        "79100008",
        ("Germán", "Augusto", "Pardo", "Lievano"),
        date(1962, 8, 17),
        "M",
        "11001",
        "ips2",
        (("EAS099", "contributivo", date(2010, 6, 1), True),),
        "afiliado a la EOC (EAS099)",
        "Carrera 15 # 88-21, Bogotá",
    ),
    DemoPatient(
        "PE",
        "845612300012345",
        ("Yesenia", "Carolina", "Pérez", "Guerrero"),
        date(1991, 4, 3),
        "F",
        "11001",
        "ips2",
        (("EPSS99", "subsidiado", date(2021, 9, 1), True),),
        "subsidiada con permiso especial de permanencia",
        "Calle 2 Sur # 10-15, Bogotá",
    ),
    DemoPatient(
        "RC",
        "1019876543",
        ("Tomás", "", "Pardo", "Rincón"),
        date(2019, 12, 2),
        "M",
        "11001",
        "ips2",
        (("EAS099", "contributivo", date(2019, 12, 10), True),),
        "niño con registro civil, beneficiario de la EOC",
        "Carrera 15 # 88-21, Bogotá",
    ),
    DemoPatient(
        "CC",
        "31100011",
        ("Luz", "Dary", "Ocoró", "Valencia"),
        date(1958, 10, 12),
        "F",
        "76001",
        None,
        (("EPSS99", "subsidiado", date(2014, 4, 1), True),),
        "creada desde la BDUA (sin registro de Admisión)",
    ),
    DemoPatient(
        "CC",
        "16100012",
        ("Harold", "", "Mina", "Angulo"),
        date(1971, 2, 28),
        "M",
        "76001",
        None,
        (
            ("EPS099", "contributivo", date(2009, 1, 1), False),
            ("EAS099", "contributivo", date(2023, 5, 1), True),
        ),
        "creado desde la BDUA; cambió de EPS099 a EAS099 en 2023",
    ),
]
# The newborn: registered with type MS and the mother's document (CC 43100001).
NEWBORN_MOTHER = ("CC", "43100001")
NEWBORN_NAMES = ("Sara", "", "Zapata", "Restrepo")
NEWBORN_AGE_DAYS = 12


def _entity(key: str) -> Entity:
    return Entity.objects.get(nit=BY_KEY[key].nit)


def _register(spec: DemoPatient) -> Patient:
    existing = patient_find(spec.document_type, spec.document_number)
    if existing is not None:
        return existing
    first, middle, surname, second = spec.names
    return patient_register(
        actor=None,
        entity=_entity(spec.ips),
        document_type=spec.document_type,
        document_number=spec.document_number,
        first_name=first,
        middle_name=middle,
        first_surname=surname,
        second_surname=second,
        birth_date=spec.birth_date,
        sex=spec.sex,
        municipality=Municipality.objects.get(code=spec.municipality),
        address=spec.address,
        phone=spec.phone,
    )


def _newborn() -> Patient:
    existing = patient_find("MS", NEWBORN_MOTHER[1])
    if existing is not None:
        return existing
    first, middle, surname, second = NEWBORN_NAMES
    return patient_register(
        actor=None,
        entity=_entity("ips1"),
        document_type="MS",
        document_number="",
        mother_document_type=NEWBORN_MOTHER[0],
        mother_document_number=NEWBORN_MOTHER[1],
        first_name=first,
        middle_name=middle,
        first_surname=surname,
        second_surname=second,
        birth_date=timezone.localdate() - timedelta(days=NEWBORN_AGE_DAYS),
        sex="F",
        municipality=Municipality.objects.get(code="05001"),
        address="Calle 10 # 43-20, Medellín",
    )


def _bdua_rows() -> list[dict[str, str]]:
    rows = []
    for spec in PATIENTS:
        first, middle, surname, second = spec.names
        for code, regime, start, active in spec.affiliations:
            rows.append(
                {
                    "tipo_documento": spec.document_type,
                    "numero_documento": spec.document_number,
                    "codigo_eps": code,
                    "regimen": regime,
                    "fecha_afiliacion": start.isoformat(),
                    "activo": "1" if active else "0",
                    "fecha_retiro": "" if active else "2023-04-30",
                    "primer_nombre": first,
                    "segundo_nombre": middle,
                    "primer_apellido": surname,
                    "segundo_apellido": second,
                    "fecha_nacimiento": spec.birth_date.isoformat(),
                    "sexo": spec.sex,
                    "municipio": spec.municipality,
                }
            )
    return rows


def seed_demo_patients() -> list[Patient]:
    """Register the demo patients (idempotent) and load their affiliations through the
    BDUA import (source "demo"). Returns the patients, the newborn last."""
    registered = [_register(spec) for spec in PATIENTS if spec.ips]
    newborn = _newborn()
    affiliation_import(_bdua_rows(), actor=None, source=DEMO_SOURCE)
    from_bdua = [patient_find(s.document_type, s.document_number) for s in PATIENTS if not s.ips]
    return [*registered, *from_bdua, newborn]


def patient_credentials() -> list[dict]:
    """The demo patients for `demo_credentials`: document, name, payer code, what each
    shows."""
    rows = [
        {
            "document_type": spec.document_type,
            "document_number": spec.document_number,
            "name": spec.name,
            "payer_code": next((a[0] for a in spec.affiliations if a[3]), None),
            "note": spec.note,
        }
        for spec in PATIENTS
    ]
    rows.append(
        {
            "document_type": "MS",
            "document_number": NEWBORN_MOTHER[1],
            "name": " ".join(p for p in NEWBORN_NAMES if p),
            "payer_code": "EPS099",
            "note": "recién nacida sin documento, con el de la madre (CC 43100001, orden 1); "
            "la cubre la EPS de la madre",
        }
    )
    return rows
