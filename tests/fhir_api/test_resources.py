"""Every resource the API can produce validates against FHIR R4 (fhir.resources' R4B
models) and survives a round trip through the model without loss."""

import importlib
from decimal import Decimal

import pytest

from fhir_api.registry import RESOURCES
from prescriptions.models import (
    ActiveIngredient,
    LineActiveIngredient,
    MeasurementUnit,
    TechnologyLine,
)

pytestmark = pytest.mark.django_db


def validate(resource: dict) -> None:
    module = importlib.import_module(f"fhir.resources.R4B.{resource['resourceType'].lower()}")
    model = getattr(module, resource["resourceType"])
    parsed = model.model_validate(resource)
    assert _canonical(parsed.model_dump(mode="json", exclude_none=True)) == _canonical(resource)


def _canonical(value):
    """Numbers compared as numbers (the model may write 2 as 2.0), everything else as is."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def test_metadata_lists_exactly_what_is_served(client):
    response = client.get("/fhir/r4/metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = response.json()
    validate(statement)
    served = {r["type"] for r in statement["rest"][0]["resource"]}
    assert served == set(RESOURCES)


@pytest.mark.parametrize("resource_type", sorted(RESOURCES))
def test_every_resource_type_validates_over_a_whole_chain(chain, eps_fhir, resource_type):
    response = eps_fhir.get(f"{resource_type}?_count=200")
    assert response.status_code == 200, response.content
    bundle = response.json()
    validate(bundle)
    assert bundle.get("entry"), f"the chain produces at least one {resource_type}"
    for entry in bundle["entry"]:
        validate(entry["resource"])
        read = eps_fhir.get(f"{resource_type}/{entry['resource']['id']}")
        assert read.status_code == 200
        assert read.json() == entry["resource"]


def test_line_types_map_to_their_request_resources(chain, eps_fhir):
    number = chain["prescription"].number
    ids = {
        "MedicationRequest": [f"{number}-M1"],
        "ServiceRequest": [f"{number}-P1", f"{number}-S1"],
        "DeviceRequest": [f"{number}-D1"],
        "NutritionOrder": [f"{number}-N1"],
    }
    for resource_type, expected in ids.items():
        bundle = eps_fhir.get(resource_type).json()
        assert sorted(e["resource"]["id"] for e in bundle["entry"]) == expected
    medication = eps_fhir.get(f"MedicationRequest/{number}-M1").json()
    assert medication["groupIdentifier"]["value"] == number
    service = eps_fhir.get(f"ServiceRequest/{number}-S1").json()
    assert service["requisition"]["value"] == number
    assert medication["status"] == "active"
    assert medication["dispenseRequest"]["quantity"]["value"] == 2
    nutrition = eps_fhir.get(f"NutritionOrder/{number}-N1").json()
    assert {"system": "https://mipres-abierto.co/fhir/sid/no-prescripcion", "value": number} in (
        nutrition["identifier"]
    )


def test_medication_lists_each_ingredient_with_its_concentration_unit(chain, eps_fhir):
    line = chain["prescription"].lines.get(technology_type="M", order=1)
    first = line.ingredients.select_related("ingredient", "concentration_unit").get()
    other_unit = MeasurementUnit.objects.create(code="0072", name="mililitro", source="starter")
    other = ActiveIngredient.objects.create(code="00200", name="SITAGLIPTINA", source="starter")
    LineActiveIngredient.objects.create(
        line=line,
        order=first.order + 1,
        ingredient=other,
        concentration=Decimal("2.5"),
        concentration_unit=other_unit,
    )
    TechnologyLine.objects.filter(pk=line.pk).update(description="")

    concept = eps_fhir.get(f"MedicationRequest/{chain['prescription'].number}-M1").json()[
        "medicationCodeableConcept"
    ]

    assert [c["code"] for c in concept["coding"]] == [first.ingredient.code, other.code]
    assert concept["text"] == (
        f"{first.ingredient.name} {first.concentration.normalize():f} "
        f"{first.concentration_unit.code} + {other.name} 2.5 {other_unit.code}"
    )


def test_supply_steps_as_tasks_dispenses_and_charge_items(chain, eps_fhir):
    d, p = chain["direccionamiento"], chain["programacion"]
    task = eps_fhir.get(f"Task/dir-{d.pk}").json()
    assert task["status"] == "completed"  # programmed: procesado
    assert task["owner"]["reference"] == f"Organization/{chain['provider'].external_id}"
    assert task["restriction"]["period"]["end"] == d.max_delivery_date.isoformat()
    programacion = eps_fhir.get(f"Task/prog-{p.pk}").json()
    assert programacion["location"]["reference"] == f"Location/{chain['sede'].external_id}"
    rejected = eps_fhir.get(f"Task/nodir-{chain['no_direccionamiento'].pk}").json()
    assert rejected["status"] == "rejected"
    assert rejected["statusReason"]["coding"][0]["code"] == "5"
    dispense = eps_fhir.get(f"MedicationDispense/ent-{chain['entrega'].pk}").json()
    assert dispense["quantity"]["value"] == 1
    assert dispense["type"]["coding"][0]["code"] == "FFP"  # partial
    assert {
        "url": "https://mipres-abierto.co/fhir/StructureDefinition/lote",
        "valueString": "L-2026-77",
    } in dispense["extension"]
    charge = eps_fhir.get(f"ChargeItem/fac-{chain['facturacion'].pk}").json()
    assert charge["service"][0]["reference"] == f"MedicationDispense/ent-{chain['entrega'].pk}"
    assert charge["priceOverride"] == {"value": 12500.5, "currency": "COP"}


def test_an_annulled_prescription_cancels_its_requests(chain, eps_fhir):
    from prescriptions.enums import PrescriptionStatus

    chain["prescription"].status = PrescriptionStatus.ANULADA
    chain["prescription"].save(update_fields=["status"])
    number = chain["prescription"].number
    assert eps_fhir.get(f"MedicationRequest/{number}-M1").json()["status"] == "cancelled"
    service = eps_fhir.get(f"ServiceRequest/{number}-S1").json()
    assert service["status"] == "revoked"
    validate(service)


def test_prescription_operation_returns_the_whole_chain(chain, eps_fhir):
    number = chain["prescription"].number
    response = eps_fhir.get(f"MedicationRequest/$prescription?number={number}")
    assert response.status_code == 200
    bundle = response.json()
    validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    for kind in (
        "Patient",
        "Practitioner",
        "Coverage",
        "MedicationRequest",
        "ServiceRequest",
        "DeviceRequest",
        "NutritionOrder",
        "Task",
        "MedicationDispense",
        "ChargeItem",
        "Location",
    ):
        assert kind in kinds
    assert kinds.count("Task") == 5  # 2 direccionamientos, 2 programaciones, 1 no direcc.
    assert "SupplyDelivery" in kinds
    for entry in bundle["entry"]:
        validate(entry["resource"])
