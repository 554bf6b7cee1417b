"""supply.templatetags.worklists: the export links and the pager keep the page's filters
(`{% querystring %}`)."""

from django.template import RequestContext, Template

from mipres.lib.pagination import Page


def _pager(rf, page, path="/?semaforo=vencido"):
    template = Template("{% load worklists %}{% worklist_pager page %}")
    return template.render(RequestContext(rf.get(path), {"page": page}))


def test_the_pager_offers_the_next_page_and_back_to_the_first_with_the_filters(rf):
    assert _pager(rf, Page(rows=[1], next_after=None, first=True)) == ""
    first = _pager(rf, Page(rows=[1], next_after=30, first=True))
    assert 'href="?semaforo=vencido&amp;despues=30" rel="next">Siguientes »' in first
    assert "Primera página" not in first
    middle = _pager(rf, Page(rows=[1], next_after=20, first=False), "/?semaforo=vencido&despues=30")
    assert 'href="?semaforo=vencido">« Primera página' in middle
    assert 'href="?semaforo=vencido&amp;despues=20" rel="next"' in middle
    last = _pager(rf, Page(rows=[1], next_after=None, first=False))
    assert "Primera página" in last and "Siguientes" not in last


def test_the_export_links_drop_the_page_and_keep_the_filters(rf):
    template = Template('{% load worklists %}{% export_links "mb-3" %}')
    html = template.render(RequestContext(rf.get("/?semaforo=vencido&despues=30")))
    assert html.startswith('<div class="d-flex gap-2 mb-3">')
    assert 'href="?semaforo=vencido&amp;formato=csv" data-export="csv">Descargar CSV' in html
    assert 'href="?semaforo=vencido&amp;formato=xlsx" data-export="xlsx">Descargar Excel' in html
    plain = Template("{% load worklists %}{% export_links %}").render(RequestContext(rf.get("/")))
    assert plain.startswith('<div class="d-flex gap-2"><a ')
    assert 'href="?formato=csv"' in plain
