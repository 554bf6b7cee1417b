"""Form fields every form of the project shares, and putting a service's refusal back on the
form, beside the field it concerns."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .decimals import plain
from .errors import DomainError


class DecimalField(forms.DecimalField):
    """Django's, but its value is written in plain notation: an initial `Decimal("1.8E+2")`
    (what `normalize()` gives for 180) shows as "180", never as `1.8E+2`."""

    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) and value.is_finite() else value


class DateField(forms.DateField):
    """Django's, bounded to the years a date of this project can have (1900–2999): a filter
    «hasta 9999-12-31» would otherwise overflow when its next day is worked out."""

    FIRST, LAST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
    default_error_messages = {
        "out_of_range": _("Escriba una fecha entre el %(first)s y el %(last)s."),
    }

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.FIRST <= value <= self.LAST:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": f"{self.FIRST:%d/%m/%Y}", "last": f"{self.LAST:%d/%m/%Y}"},
            )


class IntegerField(forms.IntegerField):
    """Django's, bounded by default to what a PostgreSQL `integer` column holds, so that
    2147483648 is refused beside the field instead of failing in the database."""

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        super().__init__(
            min_value=-(2**31) if min_value is None else min_value,
            max_value=2**31 - 1 if max_value is None else max_value,
            **kwargs,
        )


def add_service_error(form, error: DomainError | ValidationError) -> None:
    """Show `error` beside its field when the form has that field, above the form otherwise."""
    if isinstance(error, DomainError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    for message in error.messages:
        form.add_error(NON_FIELD_ERRORS, message)
