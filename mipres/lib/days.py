"""Local days as timestamp bounds: a date filter compares timestamps with the start of the
day and the start of the next one (America/Bogotá, the current time zone), so an index on
the timestamp serves it."""

import datetime

from django.utils import timezone


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def next_day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the end of `day`: the exclusive upper bound of its timestamps."""
    return day_start(day + datetime.timedelta(days=1))


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """(start of `day`, start of the next day)."""
    return day_start(day), next_day_start(day)
