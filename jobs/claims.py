"""Claim a piece of work with a compare-and-swap on a unique key (STYLE R6/R17)."""

from contextlib import contextmanager

from django.db import IntegrityError, transaction

from .models import Claim


@contextmanager
def claimed_once(key: str):
    """Yield True to the first caller that inserts `key`, False to every later one.

    Use inside the transaction that does the work: a concurrent caller waits on the unique
    index until the first commits (then gets False) or rolls back (then gets True), so the
    work happens once and a failed attempt leaves the key free for a retry.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claimed_once must run inside the transaction that does the work")
    try:
        with transaction.atomic():
            Claim.objects.create(key=key)
    except IntegrityError:
        yield False
    else:
        yield True
