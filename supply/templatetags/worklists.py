"""What every worklist page writes around its rows, in Python: the export links and the pager
(«Primera página», «Siguientes»), keeping the page's filters. As included templates with
`{% querystring %}` they cost a worklist a third of its layout."""

from django import template
from django.http import QueryDict
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def query(request, **changes) -> str:
    """`{% querystring %}`: the request's query string with `changes` (None removes a key),
    escaped for an attribute."""
    if not request.GET:  # a first page without filters, the most common
        return escape(f"?{urlencode({k: v for k, v in changes.items() if v is not None})}")
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        params.setlist(key, values)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return escape(f"?{params.urlencode()}")


@register.simple_tag(takes_context=True)
def export_links(context, spacing: str = "") -> str:
    """The list as CSV or XLSX, with the same filters (from the first page)."""
    request = context.request
    links = ""
    for fmt, label in (("csv", _("Descargar CSV")), ("xlsx", _("Descargar Excel"))):
        href = query(request, despues=None, formato=fmt)
        links += (
            f'<a class="btn btn-outline-secondary btn-sm" href="{href}" data-export="{fmt}">'
            f"{escape(label)}</a>"
        )
    return mark_safe(f'<div class="d-flex gap-2{spacing and " "}{spacing}">{links}</div>')


@register.simple_tag(takes_context=True)
def worklist_pager(context, page) -> str:
    """Keyset pages (`supply.selectors.payer_sql.Page`): «Primera página» and «Siguientes»,
    keeping the filters; nothing when everything fits in one page."""
    if not page.has_other_pages:
        return ""
    request = context.request
    items = ""
    if not page.first:
        items += (
            f'<li class="page-item"><a class="page-link" href="{query(request, despues=None)}">'
            f"{escape(_('« Primera página'))}</a></li>"
        )
    if page.next_after:
        items += (
            f'<li class="page-item"><a class="page-link" '
            f'href="{query(request, despues=page.next_after)}" rel="next">'
            f"{escape(_('Siguientes »'))}</a></li>"
        )
    return mark_safe(
        f'<nav aria-label="{escape(_("Páginas"))}"><ul class="pagination pagination-sm">'
        f"{items}</ul></nav>"
    )
