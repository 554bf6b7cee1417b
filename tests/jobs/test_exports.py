"""Exports over the threshold: prepared by the worker, downloaded by their owner only."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Export
from mipres.lib.export_tasks import run_export

from ..accounts.factories import UserFactory
from ..entities.factories import grant
from ..prescriptions.conftest import catalog, prescribing  # noqa: F401 (fixtures)
from ..prescriptions.test_prescription_views import issue, url
from ..supply.conftest import causes, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def large_export(client, prescribing, catalog, run_worker, settings):  # noqa: F811
    """Admisión of the IPS asks for the entity's CSV: three rows, over a threshold of two."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    issue(prescribing, catalog)
    admision = UserFactory()
    grant(admision, prescribing["ips"], "admision")
    client.force_login(admision)
    response = client.get(url("prescription_list_entity_csv", prescribing["ips"]))
    export = Export.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:export", args=[export.pk])
    return export


def test_a_small_export_is_answered_at_once(client, prescribing, catalog, run_worker):  # noqa: F811
    issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_list_own_csv", prescribing["ips"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert not Export.objects.exists()


def test_a_large_export_is_prepared_by_the_worker_and_downloaded(client, large_export, run_worker):
    page = client.get(reverse("jobs:export", args=[large_export.pk]))
    assert "Su archivo se está preparando" in page.content.decode()
    assert page["Refresh"] == "3"
    run_worker()
    large_export.refresh_from_db()
    assert large_export.status == Export.Status.READY and large_export.rows_done == 3
    page = client.get(reverse("jobs:export", args=[large_export.pk])).content.decode()
    assert "Su archivo está listo (3 filas)" in page
    download = client.get(reverse("jobs:export_download", args=[large_export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="prescripciones-')
    lines = download.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Número de prescripción;") and len(lines) == 4


def test_another_user_gets_404(client, large_export, run_worker):
    run_worker()
    client.force_login(UserFactory())
    assert client.get(reverse("jobs:export", args=[large_export.pk])).status_code == 404
    assert client.get(reverse("jobs:export_download", args=[large_export.pk])).status_code == 404


def test_without_a_worker_the_page_says_so(client, large_export):
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=5))
    page = client.get(reverse("jobs:export", args=[large_export.pk])).content.decode()
    assert "el procesador de tareas no está activo" in page


def test_an_export_run_twice_is_prepared_once(large_export):
    assert run_export.call(str(large_export.pk)) == "ready"
    assert run_export.call(str(large_export.pk)) == "already claimed"


def test_an_export_of_a_user_who_lost_access_fails_cleanly(client, large_export, run_worker):
    from entities.models import Membership

    Membership.objects.filter(user=large_export.user).update(ended_at=timezone.now())
    run_worker()
    large_export.refresh_from_db()
    assert large_export.status == Export.Status.FAILED
    page = client.get(reverse("jobs:export", args=[large_export.pk])).content.decode()
    assert "No fue posible preparar el archivo" in page


def test_a_large_worklist_xlsx_keeps_its_filters_when_prepared_by_the_worker(
    client,
    world,  # noqa: F811
    run_worker,
    settings,
):
    """The payer's «Por direccionar» as XLSX, filtered to services: the task repeats the
    same GET, so the file holds the filtered rows only."""
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client.force_login(world["eps_admin"])
    target = reverse("supply:to_direct", args=[world["eps"].external_id])
    response = client.get(target, {"formato": "xlsx", "technology_type": "S"})
    export = Export.objects.get()
    assert response.url == reverse("jobs:export", args=[export.pk])
    assert export.filename.endswith(".xlsx")
    run_worker()
    export.refresh_from_db()
    assert export.status == Export.Status.READY and export.rows_done == 1
    download = client.get(reverse("jobs:export_download", args=[export.pk]))
    assert "spreadsheetml" in download["Content-Type"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as book:
        text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert world["prescription"].number in text and "Cantidad por asignar" in text
