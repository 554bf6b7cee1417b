"""The supply module's tabs (supply.templatetags.supply_tabs): each role sees the tabs of
what it may do in the entity, and the page's own tab is marked active."""

import re

import pytest
from django.urls import reverse


def _tabs(client, user, entity, name):
    client.force_login(user)
    response = client.get(reverse(f"supply:{name}", args=[entity.external_id]))
    assert response.status_code == 200
    html = response.content.decode()
    bar = html[html.index('<ul class="nav nav-tabs') :]
    bar = bar[: bar.index("</ul>")]
    links = re.findall(r'<a class="(nav-link(?: active)?)" href="([^"]+)">([^<]+)</a>', bar)
    return [(label, href, css.endswith("active")) for css, href, label in links]


def _url(name, entity):
    return reverse(f"supply:{name}", args=[entity.external_id])


@pytest.mark.django_db
def test_the_payer_sees_its_five_tabs(client, world):
    eps = world["eps"]
    tabs = _tabs(client, world["eps_admin"], eps, "directed")
    assert tabs == [
        ("Por direccionar", _url("to_direct", eps), False),
        ("Direccionados", _url("directed", eps), True),
        ("Suministro y datos facturados", _url("payer_reports", eps), False),
        ("Pendientes por paciente", _url("patient_pending", eps), False),
        ("Pendientes y reportes por proveedor", _url("payer_pendientes", eps), False),
    ]


@pytest.mark.django_db
def test_the_proveedor_administrativo_and_its_dispensador_see_their_own(client, world):
    provider = world["provider"]
    assert _tabs(client, world["prov_admin"], provider, "to_report") == [
        ("Por programar", _url("to_program", provider), False),
        ("Por reportar", _url("to_report", provider), True),
        ("Reportes tardíos (8 días)", _url("late_reports", provider), False),
        ("Por facturar", _url("to_invoice", provider), False),
    ]
    assert _tabs(client, world["dispensador"], provider, "to_deliver") == [
        ("Por entregar", _url("to_deliver", provider), True),
        ("Pendientes (48 h)", _url("pendientes", provider), False),
        ("Buscar prescripción", _url("lookup", provider), False),
    ]
