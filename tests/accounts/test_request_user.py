"""What every logged-in request reads first: its session (Django's cached_db engine) and its
user with the user's active roles (accounts.backends.UserBackend, cached under the user's id
in the default cache). With both cached a page pays no query for them; a role ended, a user
deactivated or deleted, or an entity suspended is forgotten at once and takes effect on the
very next request."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entities.models import Entity
from entities.permissions import VIEW_ENTITY
from entities.selectors import entity_access_list, user_entity_perms, user_with_accesses
from entities.services.membership import membership_inactivate

from ..entities.factories import EntityFactory, grant
from .factories import UserFactory


def _summary(accesses):
    return [(a.entity.pk, a.entity.name, a.roles, sorted(a.perms)) for a in accesses]


@pytest.mark.django_db
def test_user_with_accesses_matches_the_orm_list(django_assert_num_queries):
    user = UserFactory()
    zeta = EntityFactory(entity_type="IPS", name="Zeta IPS")
    alfa = EntityFactory(entity_type="EPS", name="Alfa EPS")
    pending = EntityFactory(entity_type="IPS", name="Media IPS", status=Entity.Status.PENDING)
    grant(user, zeta, "prescriptor")
    grant(user, zeta, "delegado")
    grant(user, alfa, "administrativo")
    grant(user, pending, "delegado")
    ended = grant(user, EntityFactory(entity_type="IPS", name="Antigua"), "delegado")
    ended.ended_at = timezone.now()
    ended.save()

    with django_assert_num_queries(2):  # the user, their roles with entities and towns
        loaded = user_with_accesses(user.pk)
        towns = [access.entity.municipality.name for access in loaded.entity_accesses]

    assert loaded == user and loaded.password == user.password
    assert _summary(loaded.entity_accesses) == _summary(entity_access_list(user=user))
    assert [a.entity.name for a in loaded.entity_accesses] == ["Alfa EPS", "Media IPS", "Zeta IPS"]
    assert loaded.entity_accesses[2].roles == ["delegado", "prescriptor"]
    assert loaded.entity_accesses[1].perms == {VIEW_ENTITY}  # not verified yet
    assert towns == [a.entity.municipality.name for a in entity_access_list(user=user)]
    assert isinstance(loaded.entity_accesses[0].entity.created_at, datetime.datetime)


@pytest.mark.django_db
def test_user_without_roles_and_missing_user():
    user = UserFactory()
    assert user_with_accesses(user.pk).entity_accesses == []
    assert user_with_accesses(user.pk + 1000) is None


@pytest.mark.django_db
def test_a_logged_in_page_reads_session_and_user_from_the_cache(
    client, ips, owner, django_assert_num_queries
):
    client.force_login(owner)
    assert client.get(reverse("home")).status_code == 200
    with django_assert_num_queries(0):  # session and user with roles: both cached
        assert client.get(reverse("home")).status_code == 200
    cache.clear()  # e.g. Redis restarted: the session comes from the database
    with django_assert_num_queries(3):  # the session, the user, their roles
        assert client.get(reverse("home")).status_code == 200
    # Another session of the same user (another browser, another app server) shares it: its
    # first request reads no user and no role (it only writes its session's idle stamp).
    other = type(client)()
    other.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        assert other.get(reverse("home")).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert reads == []


@pytest.mark.django_db
def test_a_role_ended_by_the_service_takes_effect_on_the_next_request(
    client, ips, owner, member_readonly
):
    client.force_login(member_readonly)
    url = reverse("entities:detail", args=[ips.external_id])
    assert client.get(url).status_code == 200
    [membership] = member_readonly.memberships.all()
    membership_inactivate(actor=owner, membership=membership, reason="Retiro")
    assert client.get(url).status_code == 404
    assert ips.name not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_an_entity_suspended_takes_its_members_permissions_at_once(client, ips, owner):
    client.force_login(owner)
    assert client.get(reverse("home")).status_code == 200
    ips.status = Entity.Status.SUSPENDED
    ips.save(update_fields=["status"])
    [access] = client.get(reverse("home")).wsgi_request.user.entity_accesses
    assert access.perms == {VIEW_ENTITY}


@pytest.mark.django_db
def test_a_deactivated_user_is_logged_out_on_the_next_request(client, owner):
    client.force_login(owner)
    assert client.get(reverse("home")).status_code == 200
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_forged_sessions_are_anonymous(client, owner):
    for forged in ("short", "x" * 40):
        client.cookies["sessionid"] = forged
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_logout_ends_the_session_in_the_database_and_the_cache(client, owner):
    client.force_login(owner)
    key = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_services_check_permissions_from_the_roles_loaded_with_the_request_user(
    django_assert_num_queries,
):
    user, ips, other = UserFactory(), EntityFactory(entity_type="IPS"), EntityFactory()
    grant(user, ips, "delegado")
    loaded = user_with_accesses(user.pk)
    expected = user_entity_perms(user=user, entity=ips)  # the query
    assert "entities.manage_users" in expected
    with django_assert_num_queries(0):
        assert user_entity_perms(user=loaded, entity=ips) == expected
        assert user_entity_perms(user=loaded, entity=other) == frozenset()
    with django_assert_num_queries(1):  # a user read otherwise: one query
        assert user_entity_perms(user=user, entity=other) == frozenset()


@pytest.mark.django_db
def test_a_deleted_user_is_anonymous_on_the_next_request(client):
    user = UserFactory()  # no roles: nothing protects them from deletion
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.delete()
    assert client.get(reverse("home")).status_code == 302
