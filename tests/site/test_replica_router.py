"""mipres.db without a replica configured (the unit tests; tests/cluster proves the replica
itself): marked reads stay on the primary, and a request that may write pins its session's
reads to the primary for REPLICA_PIN_SECONDS with a cookie."""

from django.http import HttpResponse
from django.test import RequestFactory

from mipres import db


def test_marked_reads_go_to_the_primary_without_a_replica():
    assert db.read_alias() == "default"
    with db.replica_reads():
        assert db._marked.get() is True
        assert db.read_alias() == "default"  # no DATABASE_REPLICA_URL
    assert db._marked.get() is False


def test_the_decorator_marks_each_call_on_its_own():
    seen = []

    @db.replica_reads()
    def view():
        seen.append(db._marked.get())

    view()
    view()
    assert seen == [True, True] and db._marked.get() is False


def test_a_request_that_may_write_pins_the_session_to_the_primary(settings):
    settings.REPLICA_PIN_SECONDS = 7
    seen = []

    def view(request):
        seen.append(db._pinned.get())
        return HttpResponse()

    middleware = db.ReplicaPinMiddleware(view)
    factory = RequestFactory()
    assert db.PIN_COOKIE not in middleware(factory.get("/")).cookies
    cookie = middleware(factory.post("/")).cookies[db.PIN_COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"]
    pinned = factory.get("/")
    pinned.COOKIES[db.PIN_COOKIE] = "1"
    middleware(pinned)
    assert seen == [False, True, True]


def test_web_service_credentials_and_tokens_are_read_from_the_primary(monkeypatch):
    """An API client keeps no cookie: its token must be found where it was just written."""
    from prescriptions.models import Prescription
    from webservices.models import TemporalToken

    monkeypatch.setattr(db, "read_alias", lambda: db.REPLICA)  # as with a healthy replica
    router = db.ReplicaRouter()
    assert router.db_for_read(Prescription) == db.REPLICA
    assert router.db_for_read(TemporalToken) == "default"
    assert router.db_for_write(Prescription) == "default"
