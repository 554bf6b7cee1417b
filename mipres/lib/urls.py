"""reverse() once per process for the links every page carries.

`reverse()` costs about 50 µs; the navigation bar and the supply tabs write a dozen links on
every request. A route's URL is reversed once with a placeholder public id and the real one
is put in its place afterwards. Only for routes without arguments or whose arguments are
UUIDs (the placeholder must pass the route's converter). Other links (an integer id, a
literal segment) are kept whole per process by `reverse_once`.
"""

from functools import cache, lru_cache

from django.urls import get_script_prefix, reverse

MARKER = "00000000-0000-0000-0000-000000000000"


@cache
def _pattern(name: str, prefix: str, arity: int) -> str:
    # `prefix` keys the cache: reverse() writes the script prefix into every URL.
    return reverse(name, args=[MARKER] * arity)


def url_for(name: str, *public_ids) -> str:
    url = _pattern(name, get_script_prefix(), len(public_ids))
    for public_id in public_ids:
        url = url.replace(MARKER, str(public_id), 1)
    return url


@lru_cache(maxsize=4096)
def _reversed(prefix: str, name: str, args: tuple) -> str:
    # `prefix` keys the cache: reverse() writes the script prefix into every URL.
    return reverse(name, args=args)


def reverse_once(name: str, *args, prefix: str | None = None) -> str:
    """`reverse(name, args=args)`, once per process for each link; `prefix`: the script
    prefix, when the caller has it already."""
    return _reversed(get_script_prefix() if prefix is None else prefix, name, args)
