"""The CapabilityStatement: exactly the resource types, interactions and search parameters
the registry serves."""

SEARCH_TYPES = {
    "identifier": "token",
    "status": "token",
    "group-identifier": "token",
    "patient": "reference",
    "subject": "reference",
    "beneficiary": "reference",
    "requester": "reference",
    "owner": "reference",
    "organization": "reference",
    "focus": "reference",
    "authoredon": "date",
    "authored": "date",
    "authored-on": "date",
    "datetime": "date",
    "whenhandedover": "date",
}
RELEASE_DATE = "2026-12-07"


def capability_statement(resources: dict) -> dict:
    rest_resources = []
    for resource in resources.values():
        entry = {
            "type": resource.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": "_id", "type": "token"},
                {"name": "_count", "type": "number"},
                *({"name": name, "type": SEARCH_TYPES[name]} for name in resource.params),
            ],
        }
        if resource.includes:
            entry["searchInclude"] = [f"{resource.name}:{name}" for name in resource.includes]
        if resource.name == "MedicationRequest":
            entry["operation"] = [
                {
                    "name": "prescription",
                    "definition": "https://mipres-abierto.co/fhir/OperationDefinition/prescription",
                    "documentation": (
                        "GET MedicationRequest/$prescription?number=NoPrescripcion: la "
                        "prescripción completa con su cadena de suministro (Bundle)."
                    ),
                }
            ]
        rest_resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "id": "mipres-abierto",
        "status": "active",
        "date": RELEASE_DATE,
        "kind": "instance",
        "software": {"name": "MIPRES abierto"},
        "implementation": {"description": "MIPRES abierto – API FHIR R4 de solo lectura"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": (
                        "Authorization: Bearer <token temporal de GenerarToken>, con el "
                        "alcance del token en los servicios web MIPRES."
                    )
                },
                "resource": rest_resources,
            }
        ],
    }
