"""The delegate's GUID page: create/rotate, shown once, stored hashed, audited."""

import re

import pytest
from django.urls import reverse

from entities.models import AuditEntry
from webservices import services
from webservices.models import Credential

from ..accounts.factories import UserFactory
from ..entities.factories import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def eps_delegate(world):
    user = UserFactory()
    grant(user, world["eps"], "delegado")
    return user


def _urls(world):
    entity_id = world["eps"].external_id
    return (
        reverse("ws_delegate:credentials", args=[entity_id]),
        reverse("ws_delegate:rotate_code", args=[entity_id, "EPT001"]),
    )


def _shown(response) -> str | None:
    found = re.search(r'<code id="guid">([0-9A-F-]{36})</code>', response.content.decode())
    return found.group(1) if found else None


def test_delegate_creates_then_rotates_a_code_guid(client, world, eps_delegate):
    page, rotate = _urls(world)
    client.force_login(eps_delegate)
    response = client.get(page)
    assert response.status_code == 200 and "EPT001" in response.content.decode()
    first_form = client.get(rotate).content.decode()
    # A first GUID revokes nothing: no acknowledgement to tick.
    assert 'name="confirm"' not in first_form and not Credential.objects.exists()
    response = client.post(rotate, {})
    assert response.status_code == 302
    shown = client.get(response["Location"])
    assert "no-store" in shown.headers.get("Cache-Control", "")
    guid = _shown(shown)
    credential = Credential.objects.get()
    assert credential.payer_code == world["code"] and credential.guid_hash != guid
    assert guid not in str(Credential.objects.values_list())
    assert services.token_generate(world["eps"].nit, guid)
    assert AuditEntry.objects.filter(action="webservices.credential.rotated").count() == 1
    # Reloading the page neither shows the GUID again nor rotates it.
    again = client.get(response["Location"])
    assert again.status_code == 200 and _shown(again) is None
    assert "ya se mostró" in again.content.decode()
    assert Credential.objects.count() == 1 and services.token_generate(world["eps"].nit, guid)
    # The list shows the hint, never the GUID.
    listed = client.get(page).content.decode()
    assert guid[-4:] in listed and guid not in listed
    # Rotating asks to acknowledge the revocation, then revokes the first one.
    assert 'name="confirm"' in client.get(rotate).content.decode()
    assert client.post(rotate, {}).status_code == 200 and Credential.objects.count() == 1
    second = client.post(rotate, {"confirm": "on"})
    new_guid = _shown(client.get(second["Location"]))
    assert services.token_generate(world["eps"].nit, guid) is None
    assert services.token_generate(world["eps"].nit, new_guid)


def test_access_rules(client, world, eps_delegate):
    page, _rotate = _urls(world)
    assert client.get(page).status_code == 302  # login required
    client.force_login(world["eps_admin"])  # a member without the permission
    assert client.get(page).status_code == 403
    client.force_login(world["prov_admin"])  # another entity
    assert client.get(page).status_code == 404
    client.force_login(eps_delegate)
    other_code = reverse("ws_delegate:rotate_code", args=[world["eps"].external_id, "XXX999"])
    assert client.get(other_code).status_code == 404
    # An EPS has no entity-level GUID.
    assert (
        client.get(reverse("ws_delegate:rotate", args=[world["eps"].external_id])).status_code
        == 404
    )


def test_the_module_home_links_the_page(client, world, eps_delegate):
    client.force_login(eps_delegate)
    home = client.get(reverse("accounts:module_home", args=[world["eps"].external_id]))
    assert (
        reverse("ws_delegate:credentials", args=[world["eps"].external_id]) in home.content.decode()
    )


def test_service_rules(world, eps_delegate):
    from mipres.lib.errors import DomainError

    with pytest.raises(DomainError):
        services.credential_rotate(actor=eps_delegate, entity=world["eps"])  # no code
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.credential_rotate(
            actor=world["eps_admin"], entity=world["eps"], payer_code=world["code"]
        )
    credential, guid = services.credential_rotate(actor=None, entity=world["provider"])
    assert credential.payer_code is None and len(guid) == 36
