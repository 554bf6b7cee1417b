import pytest
from django.urls import reverse

from entities import services
from entities.models import Entity

pytestmark = pytest.mark.django_db


def _detail(entity):
    return reverse("entities:detail", args=[entity.external_id])


def _audit(entity):
    return reverse("entities:audit", args=[entity.external_id])


@pytest.mark.parametrize("url", [_detail, _audit])
def test_login_required(client, ips, url):
    response = client.get(url(ips))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [_detail, _audit])
def test_outsider_gets_404(client, ips, outsider, url):
    client.force_login(outsider)
    assert client.get(url(ips)).status_code == 404


def test_an_inactivated_member_gets_404(client, ips, member_readonly):
    membership = member_readonly.memberships.get()
    membership.ended_at = membership.started_at
    membership.save(update_fields=["ended_at"])
    client.force_login(member_readonly)
    assert client.get(_detail(ips)).status_code == 404


def test_a_member_without_the_delegate_role_gets_403_on_the_audit(client, ips, member_readonly):
    client.force_login(member_readonly)
    response = client.get(_audit(ips))
    assert response.status_code == 403
    assert "Su rol en esta entidad no le permite esta acción" in response.content.decode()


def test_member_sees_the_entity_but_not_its_members(client, ips, member_readonly, owner):
    client.force_login(member_readonly)
    response = client.get(_detail(ips))
    page = response.content.decode()
    assert response.status_code == 200
    assert ips.name in page and ips.nit_display in page
    assert "Prescriptor" in page
    assert owner.username not in page
    assert _audit(ips) not in page


def test_delegate_sees_members_and_the_audit_link(client, ips, owner, member_readonly):
    client.force_login(owner)
    page = client.get(_detail(ips)).content.decode()
    assert member_readonly.username in page
    assert _audit(ips) in page


def test_delegate_reads_the_audit_trail(client, ips, owner, ministry_admin):
    services.entity_suspend(actor=ministry_admin, entity=ips, reason="Documentos vencidos")
    client.force_login(owner)
    # A suspended entity's delegate keeps only read access: the audit page is gone.
    assert client.get(_audit(ips)).status_code == 403
    services.entity_verify(actor=ministry_admin, entity=ips)
    page = client.get(_audit(ips)).content.decode()
    assert "Entidad suspendida." in page and "Documentos vencidos" in page


def test_pending_entity_warns_its_members(client, ips, owner):
    Entity.objects.filter(pk=ips.pk).update(status=Entity.Status.PENDING)
    client.force_login(owner)
    page = client.get(_detail(ips)).content.decode()
    assert "no está verificada por el Ministerio" in page


def test_detail_query_count_does_not_grow_with_members(
    client, ips, owner, django_assert_max_num_queries
):
    from ..accounts.factories import UserFactory
    from .factories import SedeFactory, grant

    for role in ("admision", "junta", "anulador", "dispensador"):
        grant(UserFactory(), ips, role)
    for _ in range(3):
        SedeFactory(entity=ips)
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        assert client.get(_detail(ips)).status_code == 200


def test_the_delegate_sees_the_address_each_change_came_from(client, ips, owner):
    from entities.audit import log
    from mipres.lib.request_context import client_ip

    token = client_ip.set("203.0.113.9")
    try:
        log(actor=owner, action="entities.tests.seen", entity=ips)
    finally:
        client_ip.reset(token)
    client.force_login(owner)
    assert "203.0.113.9" in client.get(_audit(ips)).content.decode()
