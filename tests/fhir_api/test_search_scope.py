"""Scope (the web services' rules), search parameters, keyset pages and errors."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def ids(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def outcome(response, status: int) -> str:
    assert response.status_code == status
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]["diagnostics"]


def test_a_token_is_required(chain, eps_fhir):
    assert "Token inválido" in outcome(eps_fhir.get("Patient", token=""), 401)
    assert "Token inválido" in outcome(eps_fhir.get("Patient", token="bogus"), 401)
    response = eps_fhir.client.get("/fhir/r4/Patient")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_another_callers_ids_answer_404_and_searches_skip_its_rows(chain, other_fhir):
    patient = chain["patient"].external_id
    number = chain["prescription"].number
    for path in (
        f"Patient/{patient}",
        f"MedicationRequest/{number}-M1",
        f"Task/dir-{chain['direccionamiento'].pk}",
        f"MedicationDispense/ent-{chain['entrega'].pk}",
        f"ChargeItem/fac-{chain['facturacion'].pk}",
        f"Organization/{chain['ips'].external_id}",
        f"MedicationRequest/$prescription?number={number}",
    ):
        assert "No existe" in outcome(other_fhir.get(path), 404), path
    for resource_type in ("Patient", "MedicationRequest", "ServiceRequest", "Task", "ChargeItem"):
        assert ids(other_fhir.get(resource_type).json()) == [], resource_type


def test_a_proveedor_sees_only_the_lines_directed_to_it(chain, prov_fhir):
    number = chain["prescription"].number
    assert ids(prov_fhir.get("MedicationRequest").json()) == [f"{number}-M1"]
    assert ids(prov_fhir.get("ServiceRequest").json()) == [f"{number}-S1"]  # not P1
    assert ids(prov_fhir.get("DeviceRequest").json()) == []
    assert prov_fhir.get(f"ServiceRequest/{number}-P1").status_code == 404
    # Its own steps, never the payer's no direccionamiento.
    tasks = ids(prov_fhir.get("Task").json())
    assert f"nodir-{chain['no_direccionamiento'].pk}" not in tasks
    assert f"dir-{chain['direccionamiento'].pk}" in tasks


def test_the_ips_sees_what_it_prescribed(chain, ips_fhir):
    number = chain["prescription"].number
    assert ids(ips_fhir.get("DeviceRequest").json()) == [f"{number}-D1"]
    assert ids(ips_fhir.get("Patient").json()) == [str(chain["patient"].external_id)]


def test_patient_by_identifier(chain, eps_fhir):
    system = "https://mipres-abierto.co/fhir/sid/documento/CC"
    found = eps_fhir.get(f"Patient?identifier={system}|43000111").json()
    assert ids(found) == [str(chain["patient"].external_id)]
    assert ids(eps_fhir.get("Patient?identifier=43000111").json()) == ids(found)
    other_type = "https://mipres-abierto.co/fhir/sid/documento/TI|43000111"
    assert ids(eps_fhir.get(f"Patient?identifier={other_type}").json()) == []


def test_requests_by_patient_date_and_status(chain, eps_fhir):
    patient = f"Patient/{chain['patient'].external_id}"
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    base = f"MedicationRequest?patient={patient}"
    assert len(ids(eps_fhir.get(f"{base}&authoredon=ge{today}&status=active").json())) == 1
    assert ids(eps_fhir.get(f"{base}&authoredon=ge{tomorrow}").json()) == []
    assert ids(eps_fhir.get(f"{base}&status=cancelled").json()) == []
    assert len(ids(eps_fhir.get(f"{base}&authoredon=ge{today}&authoredon=lt{tomorrow}").json()))


@pytest.mark.parametrize(
    "query",
    [
        "MedicationRequest?authoredon=2026-13-45",
        "MedicationRequest?authoredon=ge9999-12-31",
        "MedicationRequest?authoredon=yesterday",
        "MedicationRequest?patient=Organization/123",
        "MedicationRequest?patient=not-a-uuid",
        "MedicationRequest?status=bogus",
        "MedicationRequest?_count=0",
        "MedicationRequest?_count=100000",
        "MedicationRequest?_cursor=x",
        "MedicationRequest?_include=Patient:link",
        "MedicationDispense?whenhandedover=2026-02-30",
        "Task?focus=Patient/abc",
    ],
)
def test_malformed_parameters_answer_400(chain, eps_fhir, query):
    assert outcome(eps_fhir.get(query), 400)


def test_unknown_parameters_are_ignored_unless_strict(chain, eps_fhir):
    assert eps_fhir.get("MedicationRequest?color=blue").status_code == 200
    strict = eps_fhir.get("MedicationRequest?color=blue", Prefer="handling=strict")
    assert "color" in outcome(strict, 400)
    lenient = eps_fhir.get("MedicationRequest?color=blue", Prefer="handling=lenient")
    assert lenient.status_code == 200


def test_keyset_pages_follow_next_links(chain, eps_fhir):
    everything = ids(eps_fhir.get("Task?_count=200").json())
    assert len(everything) == 5
    seen, path = [], "Task?_count=2"
    while path:
        bundle = eps_fhir.get(path).json()
        seen += ids(bundle)
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        path = None
        if following:
            parts = urlsplit(following[0])
            path = parts.path.removeprefix("/fhir/r4/") + "?" + parts.query
    assert seen == everything


def test_include_patient_and_requester(chain, eps_fhir):
    bundle = eps_fhir.get(
        "MedicationRequest?_include=MedicationRequest:patient&_include=MedicationRequest:requester"
    ).json()
    included = {
        e["resource"]["resourceType"] for e in bundle["entry"] if e["search"]["mode"] == "include"
    }
    assert included == {"Patient", "Practitioner"}


def test_tasks_by_focus_owner_and_status(chain, eps_fhir):
    number = chain["prescription"].number
    focus = eps_fhir.get(f"Task?focus=MedicationRequest/{number}-M1").json()
    assert sorted(ids(focus)) == sorted(
        [f"dir-{chain['direccionamiento'].pk}", f"prog-{chain['programacion'].pk}"]
    )
    owner = f"Organization/{chain['provider'].external_id}"
    assert len(ids(eps_fhir.get(f"Task?owner={owner}").json())) == 4
    assert ids(eps_fhir.get("Task?status=rejected").json()) == [
        f"nodir-{chain['no_direccionamiento'].pk}"
    ]


def test_dispenses_by_patient_and_date(chain, eps_fhir):
    patient = f"Patient/{chain['patient'].external_id}"
    today = datetime.date.today()
    found = eps_fhir.get(f"MedicationDispense?patient={patient}&whenhandedover=ge{today}")
    assert ids(found.json()) == [f"ent-{chain['entrega'].pk}"]
    later = eps_fhir.get(f"MedicationDispense?whenhandedover=gt{today}").json()
    assert ids(later) == []


def test_a_search_page_costs_the_same_queries_whatever_its_size(chain, eps_fhir):
    def queries(path):
        eps_fhir.get(path)  # the token's caller is read once, then cached
        with CaptureQueriesContext(connection) as captured:
            assert eps_fhir.get(path).status_code == 200
        return len(captured)

    assert queries("ServiceRequest?_count=1") == queries("ServiceRequest?_count=50")
    assert queries("Task?_count=1") <= queries("Task?_count=50")
    assert queries("Task?_count=50") == queries("Task?_count=200")


def test_failed_authentications_are_limited_per_address_not_per_caller(chain, eps_fhir, settings):
    settings.WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS = 3
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        response = eps_fhir.client.get(
            "/fhir/r4/Patient", headers={"Authorization": "Bearer bogus"}, **attacker
        )
        assert response.status_code == 401
    refused = eps_fhir.client.get(
        "/fhir/r4/Patient", headers={"Authorization": "Bearer bogus"}, **attacker
    )
    assert "Demasiados intentos" in outcome(refused, 429)
    assert refused["Retry-After"].isdigit()
    # The EPS, from its own address, is not locked out by the stranger's failures.
    assert eps_fhir.get("Patient").status_code == 200
