"""The Django admin speaks Spanish (issue 17 §26): every changelist, its filters, search,
actions and add form, the axes models included."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from entities.models import NetworkLink

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory

pytestmark = pytest.mark.django_db

# English words Django's admin writes where a catalog lacks the Spanish.
ENGLISH = re.compile(
    r"\b(Run|Go|Search|Add|Save|Delete|Filter|By|Select|Action|Actions|Change|View|Show|"
    r"Hide|Clear|All|Yes|Unknown|Home|Log out|History|attempt|attempts|access|log|"
    r"logs|failure|failures|department|Department|entities|user agent|username|Username|"
    r"IP Address|User Agent|Logout Time|Attempt Time|Task|Tasks|Results?|Backend|Status|"
    r"Priority|Enqueued at|Started at|Finished at|Queue name|Run after|Traceback)\b"
)


class Text(HTMLParser):
    """The words a person reads: text, placeholders, titles, labels, button values."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label") and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") == "submit":
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def english_in(html: str) -> set[str]:
    parser = Text()
    parser.feed(html)
    return {part for part in parser.parts if ENGLISH.search(part)}


def test_every_admin_page_is_in_spanish(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    found = {}
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:app_list", args=[info[0]]))
    for page in dict.fromkeys(pages):
        response = client.get(page)
        assert response.status_code == 200, page
        words = english_in(response.content.decode())
        if words:
            found[page] = sorted(words)
    assert not found, found


def test_the_words_the_issue_found_in_english(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    municipalities = client.get(reverse("admin:entities_municipality_changelist")).text
    assert "Por departamento" in municipalities and "Departamento" in municipalities
    assert "Buscar municipios" in municipalities
    entities = client.get(reverse("admin:entities_entity_changelist")).text
    assert "Buscar entidades" in entities and "Por departamento" in entities
    AccessAttempt.objects.create(
        username="x", ip_address="10.0.0.1", user_agent="t", failures_since_start=1
    )
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).text
    assert "Escoja intento de acceso a modificar" in attempts
    assert "Dirección IP" in attempts, re.findall(r"<th[^>]*>.*?</th>", attempts, re.S)
    assert "Access attempts" not in attempts and "IP Address" not in attempts
    assert "Ejecutar" in attempts and ">Run<" not in attempts


OUR_APPS = (
    "accounts",
    "entities",
    "prescriptions",
    "supply",
    "webservices",
    "jobs",
    "patients",
    "fhir_api",
)


def test_every_field_of_our_models_has_a_spanish_label():
    """A field without verbose_name is labelled with its English name ('payer code') in the
    admin's forms and columns. deconstruct() carries verbose_name only when the model gives
    one, so it tells Django's generated label (field.name.replace("_", " ")) from an explicit
    one even where a Spanish field name is its own label ('sede'); the 'id' keys stay 'ID'."""
    unlabelled = []
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if field.auto_created or not (field.concrete or field.many_to_many):
                    continue
                if field.primary_key and field.name == "id":
                    continue
                if "verbose_name" not in field.deconstruct()[3]:
                    unlabelled.append(f"{model._meta.label}.{field.name}")
    assert not unlabelled, unlabelled


def test_forms_and_columns_show_the_spanish_field_labels(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    add_sede = client.get(reverse("admin:entities_sede_add")).text
    assert re.search(r'<label[^>]*for="id_entity"[^>]*>Entidad:', add_sede), add_sede
    code = PayerCodeFactory()
    link = NetworkLink.objects.create(payer=code.entity, payer_code=code, provider=EntityFactory())
    columns = client.get(reverse("admin:entities_networklink_changelist")).text
    headers = re.findall(r'<th scope="col"[^>]*>.*?<a [^>]*>([^<]+)</a>', columns, re.S)
    assert {"Pagador", "Código EPS", "Entidad territorial", "Prestador"} <= set(headers), headers
    change = client.get(reverse("admin:entities_networklink_change", args=[link.pk])).text
    labels = set(re.findall(r"<label[^>]*>([^<]+):</label>", change))
    assert {"Pagador", "Código EPS", "Entidad territorial", "Prestador"} <= labels, labels
    assert {"Payer", "Payer code", "Territory", "Provider", "External id"}.isdisjoint(labels)


def test_the_task_results_are_in_spanish(client):
    """django-tasks-db ships no Spanish: its strings are in locale/es_CO/manual.po, its app
    name and computed columns in jobs (apps.TaskResultsConfig, admin.TaskResultAdmin)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    result = DBTaskResult.objects.create(
        task_path="jobs.periodic.tick",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="builtins.ValueError",
        traceback="Traceback (most recent call last): ValueError",
        status="FAILED",
    )
    changelist = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).text
    change = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk])
    ).text
    assert "Cola de tareas" in changelist and "Resultados de tareas" in changelist
    for column in ("Tarea", "Estado", "Encolada", "Prioridad", "Cola", "Fallo"):
        assert column in changelist, column
    for label in ("Estado", "Ruta de la tarea", "Ejecutar después de", "Traza", "Argumentos"):
        assert f"{label}:" in change, label
    # The traceback itself is the task's own text, not the interface.
    assert not english_in(changelist), english_in(changelist)
    assert english_in(change) <= {"Traceback (most recent call last): ValueError"}
