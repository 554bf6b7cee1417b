"""Every form of the project, fed generated values, answers without a 500 (issue 17 §14).

The forms are found, not listed: on the demo world (`seed_demo`) each demo user, and an
anonymous visitor, walks the site from the home page following its links (GET only), and
every `<form>` a page shows is recorded with the user who saw it. Then Hypothesis posts
values to every field of each form (GET forms get them in the address): the page's own
values and options mixed with what broke forms before (a NUL byte, `.`, `9999-12-31`,
2147483648, 1e400, long and odd text). Each request runs in a savepoint that is rolled
back, so every example starts from the same world. The Django admin (Django's own forms)
and the web services (their own property-based test) are left out.
"""

import io
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import User

pytestmark = pytest.mark.django_db

EXAMPLES = 6  # per form
VISITS_PER_VIEW = 2  # pages crawled per URL name (another entity's page shows other forms)
HUBS = ("home", "entities:detail")  # where each user's own links start: always crawled
SKIPPED_PREFIXES = ("/admin/", "/static/", "/cuentas/salir", "/api", "/tareas/")
# Formset management fields keep the page's values: their bounds are the formsets' own
# test (issue 17 §9), and 40,000 forms would make this test slow, not find a 500.
KEPT_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")

ODD = [
    "",
    " ",
    ".",
    "\x00",
    "a\x00b",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2147483648",
    "-2147483649",
    "99999999999999999999999999",
    "-1",
    "0",
    "0.0001",
    "1e400",
    "1.8E+2",
    "NaN",
    "Infinity",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "ñ" * 300,
]
ODD_VALUES = st.one_of(
    st.sampled_from(ODD),
    st.sampled_from(ODD),  # twice: the values that broke forms before come up more often
    st.text(max_size=24),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


@dataclass
class Form:
    url: str  # the page that showed it
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name → (type, page value, options)


class PageParser(HTMLParser):
    """The links and the forms of a page."""

    def __init__(self, url):
        super().__init__()
        self.url, self.links, self.forms = url, [], []
        self._form = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            action = urljoin(self.url, a.get("action") or self.url)
            self._form = Form(self.url, method, action)
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            name, value = a["name"], a.get("value") or ""
            _kind, _value, options = self._form.fields.get(name, (kind, value, []))
            if kind in ("checkbox", "radio"):
                options.append(value or "on")
                value = _value or (value if "checked" in a else "")
            self._form.fields[name] = (kind, value, options)
        elif tag == "textarea":
            self._form.fields[a["name"]] = ("textarea", "", [])
        elif tag == "select":
            self._select = a["name"]
            self._form.fields[self._select] = ("select", "", [])
        if tag == "option" and self._select:
            self._form.fields[self._select][2].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def view_name(url: str) -> str | None:
    path = urlsplit(url).path
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(client: Client, visits: Counter) -> list[Form]:
    """The forms of the pages reachable from the home page, each page checked for a 500."""
    forms, queue, seen = [], deque(["/"]), set()
    while queue:
        url = queue.popleft()
        name = view_name(url)
        if url in seen or name is None or (visits[name] >= VISITS_PER_VIEW and name not in HUBS):
            continue
        seen.add(url)
        visits[name] += 1
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser(url)
        parser.feed(response.content.decode())
        forms.extend(f for f in parser.forms if view_name(f.action) and f.fields)
        queue.extend(link for link in parser.links if urlsplit(link).netloc in ("", "testserver"))
    return forms


@st.composite
def form_values(draw, fields: dict) -> dict:
    """One odd value, given to about half the fields; the others keep the page's value or
    one of its options."""
    odd = draw(ODD_VALUES)
    data = {}
    for name, (kind, value, options) in fields.items():
        if name.endswith(KEPT_SUFFIXES) or name == "csrfmiddlewaretoken":
            data[name] = value
        elif draw(st.booleans()):
            data[name] = odd
        else:
            own = [value, *options] if kind in ("select", "checkbox", "radio") else [value]
            data[name] = draw(st.sampled_from(own))
    return data


def fuzz(user, form: Form) -> str | None:
    """The first generated example that gets a 500, or None."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=(Phase.generate,),  # the first failing example is reported as it is
        suppress_health_check=list(HealthCheck),
    )
    @given(form_values(form.fields))
    def post(data):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        with transaction.atomic():
            send = client.post if form.method == "post" else client.get
            response = send(form.action, data)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{form.method.upper()} {form.action} {data!r}"

    try:
        post()
    except AssertionError as failure:
        return str(failure).splitlines()[0]
    return None


def test_no_form_answers_500_to_generated_values(client):
    call_command("seed_demo", stdout=io.StringIO())
    visits = Counter()
    cast = [None, *User.objects.filter(is_active=True, memberships__isnull=False).distinct()]
    found = {}  # one of each form: (method, the action's view, its fields) → (user, form)
    for user in cast:
        client.logout()
        if user is not None:
            client.force_login(user)
        for form in crawl(client, visits):
            key = (form.method, view_name(form.action), tuple(sorted(form.fields)))
            found.setdefault(key, (user, form))
    assert len(found) > 20, "the crawl found too few forms"
    failures = [failure for user, form in found.values() if (failure := fuzz(user, form))]
    assert not failures, "\n".join(failures)
