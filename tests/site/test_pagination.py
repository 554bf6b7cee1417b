"""mipres.lib.pagination: the one keyset paginator of the worklists and lists."""

from operator import itemgetter
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType

from entities.models import Entity
from mipres.lib.pagination import Page, boundary, keyset_page, start_after, two_way_page


def test_a_page_of_size_plus_one_rows_goes_on_after_its_last_row():
    page = keyset_page([{"pk": 1}, {"pk": 2}, {"pk": 3}], size=2, after=None, key=itemgetter("pk"))
    assert page == Page(rows=[{"pk": 1}, {"pk": 2}], next_after=2, first=True)
    assert page.has_other_pages


def test_the_last_page_has_no_next_and_the_first_no_other():
    last = keyset_page([{"pk": 7}], size=2, after=5, key=itemgetter("pk"))
    assert last == Page(rows=[{"pk": 7}], next_after=None, first=False)
    assert last.has_other_pages  # «Primera página»
    only = keyset_page([], size=2, after=None)
    assert only == Page(rows=[], next_after=None, first=True)
    assert not only.has_other_pages


def test_a_two_way_page_read_after_a_bound_links_both_ways():
    key = itemgetter("pk")
    top = two_way_page(
        [{"pk": 9}, {"pk": 8}, {"pk": 7}], size=2, bound=False, backwards=False, key=key
    )
    assert top == Page(rows=[{"pk": 9}, {"pk": 8}], next_after=8, first=True)
    middle = two_way_page(
        [{"pk": 7}, {"pk": 6}, {"pk": 5}], size=2, bound=True, backwards=False, key=key
    )
    assert (middle.previous_before, middle.next_after, middle.first) == (7, 6, False)
    end = two_way_page([{"pk": 5}], size=2, bound=True, backwards=False, key=key)
    assert (end.previous_before, end.next_after) == (5, None)


def test_a_two_way_page_read_backwards_is_turned_back():
    key = itemgetter("pk")
    # «Anteriores» before 7: read 8, 9, 10 (nearest first); 10 says there is a page before.
    back = two_way_page(
        [{"pk": 8}, {"pk": 9}, {"pk": 10}], size=2, bound=True, backwards=True, key=key
    )
    assert back.rows == [{"pk": 9}, {"pk": 8}]
    assert (back.previous_before, back.next_after, back.first) == (9, 8, False)
    # Back to the top: nothing before it.
    top = two_way_page([{"pk": 9}, {"pk": 10}], size=2, bound=True, backwards=True, key=key)
    assert top.rows == [{"pk": 10}, {"pk": 9}]
    assert (top.previous_before, top.next_after, top.first) == (None, 9, True)


def test_the_key_defaults_to_the_rows_pk():
    rows = [SimpleNamespace(pk=pk) for pk in (4, 9, 12)]
    assert keyset_page(rows, size=2, after=None).next_after == 9


@pytest.mark.django_db
def test_the_boundary_is_the_named_rows_sort_key_inside_the_scope():
    mine = ContentType.objects.get_for_model(Entity)
    other = ContentType.objects.get_for_model(ContentType)
    scope = ContentType.objects.filter(app_label="entities")
    assert boundary(scope, "model", "pk", pk=mine.pk) == ("entity", mine.pk)
    assert boundary(scope, "model", "pk", pk=other.pk) is None  # another scope's: the top
    assert boundary(scope, "model", "pk", pk=0) is None
    assert boundary(scope, "model", "pk", pk=None) is None  # no link: no query


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("", None), ("abc", None), ("²", None), ("-1", None), ("9" * 19, None)],
)
def test_a_worklist_starts_after_a_plain_pk_and_from_the_top_otherwise(rf, raw, expected):
    assert start_after(rf.get("/", {"despues": raw})) == expected
