# ruff: noqa: F811  (the imported fixture is a parameter below)
"""A tutela's additional rulings (fallosAdicionales): the Recobrante's form and the service."""

import pytest

from mipres.lib.errors import DomainError
from prescriptions import models as m

from .test_tutelas import RULING_DATE, form_data, recobrante, register, url  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_form_stores_additional_rulings_and_the_detail_shows_them(
    client,
    prescribing,
    recobrante,
):
    client.force_login(recobrante)
    data = form_data(
        prescribing, additional_rulings="2026-04-10 05001-2026-00101\n\n2026-05-02 IMP-77"
    )
    response = client.post(url("tutela_create", prescribing["eps"]), data, follow=True)
    tutela = m.Tutela.objects.get()
    rulings = [
        (r.ruling_date.isoformat(), r.ruling_number) for r in tutela.additional_rulings.all()
    ]
    assert rulings == [("2026-04-10", "05001-2026-00101"), ("2026-05-02", "IMP-77")]
    assert "Fallos adicionales" in response.text and "IMP-77" in response.text


@pytest.mark.parametrize(
    "text, message",
    [
        ("10/04/2026 123", "Línea 1: escriba la fecha"),
        ("2026-04-10", "Línea 1: escriba la fecha"),
        ("2026-03-01 123", "Línea 1: un fallo adicional no puede ser anterior al fallo."),
    ],
)
def test_a_malformed_additional_ruling_is_refused_beside_the_field(
    client,
    prescribing,
    recobrante,
    text,
    message,
):
    client.force_login(recobrante)
    response = client.post(
        url("tutela_create", prescribing["eps"]),
        form_data(prescribing, additional_rulings=text),
    )
    assert response.status_code == 200 and message in response.text
    assert not m.Tutela.objects.exists()


def test_the_service_refuses_a_ruling_before_the_tutelas(prescribing, catalog, recobrante):
    with pytest.raises(DomainError) as error:
        register(
            prescribing, catalog, recobrante, additional_rulings=[(RULING_DATE.replace(day=1), "X")]
        )
    assert error.value.code == "additional_ruling"
    assert not m.Tutela.objects.exists()
