"""Pages rendered from a frame: the template's unchanging text rendered once per process and
language, and only its `{% slot %}` parts rendered on each request.

A worklist page is mostly layout: the site's head and footer, the navigation bar, the
module's breadcrumbs and tabs, the page's title, introduction and table head. Through the
template engine that layout costs about twice the page's rows and queries together, on every
request, to write the same text. A framed page marks what changes from one request to the
next with `{% slot %}…{% endslot %}` (the navigation bar, the messages, the entity, the
filters, the rows, the pager); `render_framed` renders the template once with a marker in
place of each slot, keeps the text between the markers, and on each request renders just the
slots' contents with the request's context and joins the pieces.

The contract of a framed template: outside its slots it writes only what depends on the
language and the settings (translations, `{% static %}`, `{% url %}` without per-request
arguments, SITE_NAME). Anything else goes inside a slot. A slot may not sit in a loop or hold
a `{% block %}`; `FrameError` says so when the frame is built. With `FRAMES_VERIFY` on (the
test suite turns it on), every framed response is compared with the template's ordinary
rendering, so a per-request value left outside a slot fails the test that shows the page.

`{% slot %}` is a builtin tag (settings.TEMPLATES): in an ordinary rendering it writes its
content, so the same templates serve framed and ordinary pages alike.
"""

import re
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import HttpResponse
from django.template import Context, loader
from django.template.context import make_context
from django.utils.translation import get_language

from mipres.context_processors import site

register = template.Library()

_MARKER = "\x1e{}\x1f"  # ASCII record/unit separators: no template writes them
_MARKERS = re.compile("\x1e(\\d+)\x1f")
# The logout form's CSRF token is masked afresh on every call: the one thing two renderings
# of the same page may differ in.
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


class FrameError(Exception):
    """A framed template breaks the contract (see the module's docstring)."""


class _Building(list):
    """The slots met while a frame is rendered, in order (a slot's marker is its index)."""


class SlotNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        building = getattr(context, "frame_building", None)
        if building is None:
            return self.nodelist.render(context)
        building.append(self)
        return _MARKER.format(len(building) - 1)


@register.tag
def slot(parser, token):
    """`{% slot %}…{% endslot %}`: a part of a framed template rendered on every request."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% slot %} takes no arguments")
    nodelist = parser.parse(("endslot",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(template.loader_tags.BlockNode):
        raise template.TemplateSyntaxError("a {% slot %} cannot hold a {% block %}")
    return SlotNode(nodelist)


@dataclass(frozen=True)
class Frame:
    texts: tuple[str, ...]  # one more than slots: text, slot, text, slot, …, text
    slots: tuple[SlotNode, ...]

    def render(self, context) -> str:
        out = [self.texts[0]]
        for node, text in zip(self.slots, self.texts[1:], strict=True):
            out.append(node.nodelist.render(context))
            out.append(text)
        return "".join(out)


_frames: dict[tuple[str, str], Frame] = {}


def _build(template_name: str) -> Frame:
    compiled = loader.get_template(template_name).template
    # The context processors that need no request; nothing of a request or a user.
    context = Context(site(None), autoescape=compiled.engine.autoescape)
    context.frame_building = building = _Building()
    pieces = _MARKERS.split(compiled.render(context))
    texts, order = pieces[0::2], [int(index) for index in pieces[1::2]]
    if order != list(range(len(building))) or len(set(map(id, building))) != len(building):
        raise FrameError(
            f"{template_name}: every {{% slot %}} must be written once, in order (a slot in "
            f"a loop, or inside another slot?); found markers {order} for {len(building)} slots"
        )
    return Frame(texts=tuple(texts), slots=tuple(building))


def frame(template_name: str) -> Frame:
    """The template's frame for the active language, built once per process (on every call
    with DEBUG, so edited templates show at once)."""
    key = (template_name, get_language())
    found = None if settings.DEBUG else _frames.get(key)
    if found is None:
        found = _frames[key] = _build(template_name)
    return found


def render_framed(request, template_name: str, context: dict | None = None) -> HttpResponse:
    """`django.shortcuts.render` for a framed template (same context, same context
    processors, same output)."""
    compiled = loader.get_template(template_name).template
    request_context = make_context(context or {}, request, autoescape=compiled.engine.autoescape)
    with (
        request_context.render_context.push_state(compiled),
        request_context.bind_template(compiled),
    ):
        request_context.template_name = template_name
        content = frame(template_name).render(request_context)
    if settings.FRAMES_VERIFY:
        _verify(request, template_name, context, content)
    return HttpResponse(content)


def _verify(request, template_name: str, context: dict | None, content: str) -> None:
    expected = loader.render_to_string(template_name, context, request)
    if _CSRF.sub(r"\1\2", expected) != _CSRF.sub(r"\1\2", content):
        at = next(
            (i for i, (a, b) in enumerate(zip(expected, content, strict=False)) if a != b),
            min(len(expected), len(content)),
        )
        raise FrameError(
            f"{template_name}: the framed page differs from the template's own rendering at "
            f"character {at}: a per-request value outside a {{% slot %}}?\n"
            f"template: {expected[max(0, at - 200) : at + 200]!r}\n"
            f"framed:   {content[max(0, at - 200) : at + 200]!r}"
        )
