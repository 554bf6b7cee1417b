"""The Django admin speaks Spanish (issue 17 §26): every changelist, its filters, search,
actions and add form, the axes models included."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.urls import reverse

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

# English words Django's admin writes where a catalog lacks the Spanish.
ENGLISH = re.compile(
    r"\b(Run|Go|Search|Add|Save|Delete|Filter|By|Select|Action|Actions|Change|View|Show|"
    r"Hide|Clear|All|Yes|Unknown|Home|Log out|History|attempt|attempts|access|log|"
    r"logs|failure|failures|department|Department|entities|user agent|username|Username|"
    r"IP Address|User Agent|Logout Time|Attempt Time)\b"
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
