"""What every logged-in request reads first: its session with its user and the user's active
roles, in one statement (accounts.sessions; accounts.backends.UserBackend and
entities.selectors.user_with_accesses when the session did not bring the user). Nothing is
cached between requests: a role ended or a user deactivated takes effect on the very next
request."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Session
from entities.models import Entity
from entities.permissions import VIEW_ENTITY
from entities.selectors import entity_access_list, user_entity_perms, user_with_accesses

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

    with django_assert_num_queries(1):
        loaded = user_with_accesses(user.pk)
        # The entity's municipality came with it (the home page shows it).
        towns = [access.entity.municipality.name for access in loaded.entity_accesses]

    assert loaded == user and loaded.password == user.password
    assert loaded.document_number == user.document_number
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
def test_a_logged_in_page_costs_one_query_and_sees_a_role_ended_at_once(
    client, ips, owner, django_assert_num_queries
):
    client.force_login(owner)
    assert Session.objects.get(session_key=client.cookies["sessionid"].value).user == owner
    url = reverse("entities:detail", args=[ips.external_id])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(1) as captured:  # the session with the user and roles
        client.get(reverse("home"))
    assert "EXECUTE session_user_" in captured.captured_queries[0]["sql"]

    owner.memberships.update(ended_at=timezone.now())
    assert client.get(url).status_code == 404
    assert ips.name not in client.get(reverse("home")).content.decode()


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
def test_expired_deleted_and_forged_sessions_are_anonymous(client, owner):
    client.force_login(owner)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert client.get(reverse("home")).status_code == 302

    client.force_login(owner)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()
    assert client.get(reverse("home")).status_code == 302

    for forged in ("short", "x" * 40):
        client.cookies["sessionid"] = forged
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_logout_ends_the_session(client, owner):
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
def test_the_session_data_not_the_row_decides_who_the_user_is(
    client, owner, django_assert_num_queries
):
    """The row's user_id only saves a query: were it to name someone else, the user of the
    session's (signed) data is read on its own."""
    client.force_login(owner)
    key = client.cookies["sessionid"].value
    other = UserFactory(first_name="Otra")
    Session.objects.filter(session_key=key).update(user=other)
    with django_assert_num_queries(2):  # the session (with the other user), then the owner
        page = client.get(reverse("home")).content.decode()
    assert owner.get_full_name() in page and "Otra" not in page


@pytest.mark.django_db
def test_a_session_before_login_has_no_user_and_a_deleted_user_takes_their_sessions(client, owner):
    session = client.session  # an anonymous session
    session["seen"] = True
    session.save()
    assert Session.objects.get(session_key=session.session_key).user is None
    user = UserFactory()  # no roles: nothing protects them from deletion
    client.force_login(user)
    key = client.cookies["sessionid"].value
    user.delete()
    assert not Session.objects.filter(session_key=key).exists()
