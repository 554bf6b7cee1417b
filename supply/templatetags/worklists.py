"""What every worklist page writes around its rows: the export links and the keyset pager
(«Primera página», «Siguientes»), keeping the page's filters with `{% querystring %}`."""

from django import template

register = template.Library()


@register.inclusion_tag("supply/_export_links.html", takes_context=True)
def export_links(context, spacing: str = "") -> dict:
    """The list as CSV or XLSX, with the same filters (from the first page)."""
    return {"spacing": spacing}


@register.inclusion_tag("supply/_pager.html", takes_context=True)
def worklist_pager(context, page) -> dict:
    """Keyset pages (`mipres.lib.pagination.Page`): «Primera página» and «Siguientes»,
    keeping the filters; nothing when everything fits in one page."""
    return {"page": page}
