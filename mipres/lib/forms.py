"""Form fields every form of the project shares, and putting a service's refusal back on the
form, beside the field it concerns."""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .decimals import plain
from .errors import DomainError


class DecimalField(forms.DecimalField):
    """Django's, but its value is written in plain notation: an initial `Decimal("1.8E+2")`
    (what `normalize()` gives for 180) shows as "180", never as `1.8E+2`."""

    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) and value.is_finite() else value


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
