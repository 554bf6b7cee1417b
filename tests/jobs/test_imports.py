"""Registry and catalog files uploaded in the admin are loaded by the worker, once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ProfessionalRecord
from jobs.imports import run_import
from jobs.models import Import

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RETHUS = (
    b"tipo_documento,numero_documento,primer_nombre,primer_apellido,profesion,registro_profesional\n"
    b"CC,79111222,Ana,Ruiz,medicina,RM-1\n"
    b"CC,79111333,Luis,Mora,medicina,RM-2\n"
)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _upload(client, kind, content, name="rethus.csv"):
    return client.post(
        reverse("admin:jobs_import_add"),
        {"kind": kind, "upload": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_an_uploaded_registry_is_loaded_by_the_worker_once(superuser_client, run_worker):
    response = _upload(superuser_client, "rethus", RETHUS)
    assert response.status_code == 302
    job = Import.objects.get()
    assert job.status == Import.Status.QUEUED and not ProfessionalRecord.objects.exists()
    run_worker()
    job.refresh_from_db()
    assert job.status == Import.Status.DONE
    assert job.summary.startswith("2 creados, 0 actualizados, 0 sin cambios, 0 rechazados.")
    assert ProfessionalRecord.objects.count() == 2
    assert run_import.call(job.pk) == "already claimed"
    listing = superuser_client.get(reverse("admin:jobs_import_changelist")).content.decode()
    assert "rethus.csv" in listing and "Terminada" in listing


def test_a_file_without_the_columns_fails_with_a_spanish_message(superuser_client, run_worker):
    _upload(superuser_client, "rethus", b"nombre,apellido\nAna,Ruiz\n")
    run_worker()
    job = Import.objects.get()
    assert job.status == Import.Status.FAILED
    assert job.summary.startswith("Al archivo le faltan las columnas: tipo_documento")


def test_a_catalog_is_loaded_by_the_worker(superuser_client, run_worker):
    from prescriptions.models import Diagnosis

    content = b"code,name,enabled,version,valid_from\nE119,Diabetes tipo 2,1,1,2020-01-01\n"
    _upload(superuser_client, "catalog:cie10", content, name="cie10.csv")
    run_worker()
    assert Import.objects.get().status == Import.Status.DONE
    assert Diagnosis.objects.filter(code="E119").exists()


def test_staff_without_the_permission_cannot_upload(client):
    client.force_login(UserFactory(is_staff=True))
    assert _upload(client, "rethus", RETHUS).status_code == 403
    assert not Import.objects.exists()
