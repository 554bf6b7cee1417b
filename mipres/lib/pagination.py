"""Keyset ("seek") pagination for the worklists and the lists (STYLE R20): a page is the rows
after the one its «Siguientes» link names, in the list's order, read `size + 1` at a time
(the extra row says there is a next page) and never counted. At national volume a COUNT(*)
over an entity's history, or an OFFSET deep into it, costs more than the page itself; a
bound on the sort key lets the list's index start where the page does.

A list reads its rows its own way (the ORM, or its documented SQL) and uses the two halves:
`boundary` finds the sort key of the row the link names, inside the list's own scope, and
`keyset_page` makes the page of what was read. A list paged both ways («Anteriores»,
«Siguientes»: the consultas) reads the rows before a bound in reverse order and makes its
page with `two_way_page`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Page:
    """One page of a list: `rows`, and the key the next page starts after (None at the end).
    `first` says whether this is the first page (for a «Primera página» link). A list paged
    both ways also gets `previous_before`, the key the previous page ends before (None on
    the first page)."""

    rows: list
    next_after: Any
    first: bool
    previous_before: Any = None

    @property
    def has_other_pages(self) -> bool:
        return self.next_after is not None or not self.first


def boundary(queryset: QuerySet, *fields: str, **lookup) -> tuple | None:
    """The values of `fields` (the sort key, then the tie-breaker) of the row of `queryset`
    that `lookup` names (`pk=…`, `external_id=…`): where a page starts. None when the link
    names nothing, or a row outside `queryset` (another entity's): the page starts at the
    top, revealing nothing."""
    if any(value is None for value in lookup.values()):
        return None
    return queryset.filter(**lookup).values_list(*fields).first()


def keyset_page(
    rows: list, *, size: int, after, key: Callable[[Any], Any] = attrgetter("pk")
) -> Page:
    """The page of the `size + 1` rows read after `after` (None: the first page): the extra
    row, if any, says there is a next page, which starts after `key` of the last row shown."""
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_after=key(rows[-1]) if more else None, first=after is None)


def two_way_page(
    rows: list, *, size: int, bound: bool, backwards: bool, key: Callable[[Any], Any]
) -> Page:
    """The page of the `size + 1` rows a list paged both ways read: after a bound in the
    list's order (`bound` False: from the top), or, `backwards`, before a bound in reverse
    order (turned back here). The extra row says there is a page further in the direction
    read; a bound says there is one the other way."""
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = bool(rows) if backwards else more
    has_previous = bool(rows) and (more if backwards else bound)
    return Page(
        rows=rows,
        next_after=key(rows[-1]) if has_next else None,
        first=not has_previous,
        previous_before=key(rows[0]) if has_previous else None,
    )


def start_after(request) -> int | None:
    """The pk a worklist's page starts after (`?despues=`, the «Siguientes» link); anything
    else, a number no id reaches included, starts from the top."""
    raw = request.GET.get("despues", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None
