"""The printed prescription (issue 4, item 5): a PDF whose text holds the number, the patient,
the diagnosis and every line, with the same scope as the detail page."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, grant
from .test_prescription_views import issue, url

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    # Table cells wrap: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_holds_the_number_patient_diagnosis_and_every_line(client, prescribing, catalog):
    prescription = issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_pdf", prescribing["ips"], prescription.external_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"prescripcion-{prescription.number}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    for expected in (
        prescription.number,
        "Rosa Arango",
        "CC 43000111",
        "E119",
        "Diabetes mellitus no insulinodependiente",
        prescribing["ips"].name,
        prescribing["ips"].reps_code,
        prescribing["medico"].get_full_name(),
        f"RM-{prescribing['medico'].document_number}",
        prescribing["eps"].name,
        "EPT001",
        "Ambulatorio – No priorizado",
        "METFORMINA 850 mg",  # M1
        "Consulta de primera vez por medicina general",  # P1
        "Pañales",  # S1
        "850 mg cada 12 hora(s) durante 30 día(s)",
        "Requiere junta de profesionales",
        "No requiere junta de profesionales",
    ):
        assert expected in text, expected


def test_the_pdf_carries_a_qr_code_of_the_number(prescribing, catalog):
    from prescriptions.pdf import qr_code

    drawing = qr_code("20261122000000000001")
    widget = drawing.contents[0]
    assert widget.value == "20261122000000000001"


def test_the_pdf_of_another_entitys_prescription_is_404(client, prescribing, catalog):
    prescription = issue(prescribing, catalog)
    other_ips = EntityFactory(entity_type="IPS")
    admision = UserFactory()
    grant(admision, other_ips, "admision")
    client.force_login(admision)
    response = client.get(url("prescription_pdf", other_ips, prescription.external_id))
    assert response.status_code == 404


def test_the_pdf_needs_a_role_that_sees_prescriptions(client, prescribing, catalog):
    prescription = issue(prescribing, catalog)
    target = url("prescription_pdf", prescribing["ips"], prescription.external_id)
    assert client.get(target).status_code == 302
    dispensador = UserFactory()
    grant(dispensador, prescribing["ips"], "dispensador")
    client.force_login(dispensador)
    assert client.get(target).status_code == 403


def test_an_annulled_prescriptions_pdf_carries_the_watermark_and_no_longer_says_present_it(
    client, prescribing, catalog
):
    from prescriptions.services.novelties import prescription_annul

    prescription = issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    pdf_url = url("prescription_pdf", prescribing["ips"], prescription.external_id)
    active = _text(client.get(pdf_url).content)
    assert "Presente este documento" in active and "ANULADA" not in active
    anulador = UserFactory()
    grant(anulador, prescribing["ips"], "anulador")
    prescription_annul(
        actor=anulador,
        entity=prescribing["ips"],
        prescription=prescription,
        reason="Paciente equivocado",
    )
    response = client.get(pdf_url)
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.content))
    for page in reader.pages:  # the watermark is on every page
        assert "ANULADA" in page.extract_text()
    text = _text(response.content)
    assert "Presente este documento" not in text
    assert "PRESCRIPCIÓN ANULADA" in text and "Paciente equivocado" in text
    assert "no es válida para reclamar" in text


def test_a_lines_recommendations_print_as_written_in_italics(client, prescribing, catalog):
    prescription = issue(prescribing, catalog)
    line = prescription.lines.get(technology_type="M")
    line.recommendations = "Tomar con <b>comida</b> & agua"
    line.save(update_fields=["recommendations"])
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_pdf", prescribing["ips"], prescription.external_id))
    assert response.status_code == 200
    assert "Recomendaciones: Tomar con <b>comida</b> & agua" in _text(response.content)
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert "/Helvetica-Oblique" in fonts
