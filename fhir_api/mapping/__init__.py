"""MIPRES records as FHIR R4 resources (docs/fhir.md maps every element to its MIPRES
field). Each function takes a model instance whose relations the selector has already
loaded and returns a plain dict ready for JSON; the tests validate every shape with
fhir.resources' R4B models."""
