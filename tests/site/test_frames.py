"""mipres.lib.frames: a framed page is its template's ordinary rendering, with only the
`{% slot %}` parts rendered per request."""

import pytest
from django.template import TemplateSyntaxError
from django.test import RequestFactory, override_settings
from django.utils import translation

from mipres.lib import frames

LAYOUT = (
    "<title>{{ SITE_NAME }} {% block title %}{% endblock %}</title>"
    "<p>{% translate 'Ayuda' %}</p>{% block body %}{% endblock %}"
)
PAGE = (
    '{% extends "layout.html" %}{% load i18n %}'
    "{% block title %}{% slot %}{{ who }}{% endslot %}{% endblock %}"
    "{% block body %}<a href=\"{% url 'help' %}\">x</a>"
    "{% slot %}{% for item in items %}<li>{{ item }}</li>{% endfor %}{% endslot %}"
    "<span>{% slot %}{{ request.path }}{% endslot %}</span>{% endblock %}"
)


def _templates(**pages):
    """Settings with only these in-memory templates (and the project's builtins)."""
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [("django.template.loaders.locmem.Loader", pages)],
                    "builtins": ["mipres.lib.frames", "django.templatetags.i18n"],
                    "context_processors": [
                        "django.template.context_processors.request",
                        "mipres.context_processors.site",
                    ],
                },
            }
        ]
    )


@pytest.fixture(autouse=True)
def _fresh_frames():
    frames._frames.clear()
    yield
    frames._frames.clear()


def test_a_framed_page_is_the_template_rendered_with_each_request_own_slots(rf: RequestFactory):
    with _templates(**{"layout.html": LAYOUT, "page.html": PAGE}):
        first = frames.render_framed(rf.get("/a/"), "page.html", {"who": "<Ana>", "items": [1]})
        second = frames.render_framed(rf.get("/b/"), "page.html", {"who": "Luis", "items": []})
    assert first.status_code == 200
    assert first.content.decode() == (
        '<title>MIPRES abierto &lt;Ana&gt;</title><p>Ayuda</p><a href="/ayuda/">x</a>'
        "<li>1</li><span>/a/</span>"
    )
    assert second.content.decode() == (
        '<title>MIPRES abierto Luis</title><p>Ayuda</p><a href="/ayuda/">x</a><span>/b/</span>'
    )
    assert len(frames._frames) == 1  # built once, for the one language


def test_the_frame_is_built_once_per_language(rf):
    page = "<p>{% translate 'Home' %}</p>{% slot %}{{ request.path }}{% endslot %}"
    with _templates(**{"page.html": page}):
        spanish = frames.render_framed(rf.get("/"), "page.html")
        frames.render_framed(rf.get("/"), "page.html")
        with translation.override("en"):
            english = frames.render_framed(rf.get("/"), "page.html")
    assert spanish.content.decode() == "<p>Inicio</p>/"
    assert english.content.decode() == "<p>Home</p>/"
    assert sorted(language for _, language in frames._frames) == ["en", "es-co"]


def test_a_request_value_outside_a_slot_fails_the_comparison(rf):
    page = '{% extends "layout.html" %}{% block body %}<b>{{ who }}</b>{% endblock %}'
    with _templates(**{"layout.html": LAYOUT, "page.html": page}):
        with pytest.raises(frames.FrameError, match=r"outside a \{% slot %\}"):
            frames.render_framed(rf.get("/"), "page.html", {"who": "Ana"})
        with override_settings(FRAMES_VERIFY=False):  # what a server would then send
            sent = frames.render_framed(rf.get("/"), "page.html", {"who": "Ana"})
    assert "<b></b>" in sent.content.decode()


def test_a_slot_in_a_loop_is_refused_when_the_frame_is_built(rf):
    page = '{% for i in "ab" %}{% slot %}{{ i }}{% endslot %}{% endfor %}'
    with _templates(**{"page.html": page}), pytest.raises(frames.FrameError, match="in a loop"):
        frames.render_framed(rf.get("/"), "page.html")


def test_a_slot_cannot_hold_a_block(rf):
    page = "{% slot %}{% block x %}{% endblock %}{% endslot %}"
    with (
        _templates(**{"page.html": page}),
        pytest.raises(TemplateSyntaxError, match=r"cannot hold a \{% block %\}"),
    ):
        frames.render_framed(rf.get("/"), "page.html")


def test_outside_a_frame_a_slot_writes_its_content(rf):
    from django.template.loader import render_to_string

    with _templates(**{"layout.html": LAYOUT, "page.html": PAGE}):
        html = render_to_string("page.html", {"who": "Ana", "items": [2]}, rf.get("/c/"))
    assert html.endswith("<li>2</li><span>/c/</span>")
    assert "\x1e" not in html


def test_with_debug_the_frame_is_built_on_every_request(rf):
    with _templates(**{"layout.html": LAYOUT, "page.html": PAGE}), override_settings(DEBUG=True):
        frames.render_framed(rf.get("/"), "page.html")
        built = frames._frames[("page.html", "es-co")]
        frames.render_framed(rf.get("/"), "page.html")
        assert frames._frames[("page.html", "es-co")] is not built
