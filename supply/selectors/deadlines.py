"""The deadline light of a delivery by its `FecMaxEnt` (issue 5 §3, §8; issue 17 §22): shared
by the payer's pending deliveries of a patient and the provider's worklists."""

import datetime

from django.utils.translation import gettext_lazy as _

OVERDUE = "vencido"
TODAY = "hoy"
WITHIN_15 = "15_dias"
WITHIN_30 = "30_dias"
ON_TIME = "a_tiempo"

# Each light's first and last day counted from today (None: open), in order.
LIGHT_DAYS = {
    OVERDUE: (None, -1),
    TODAY: (0, 0),
    WITHIN_15: (1, 15),
    WITHIN_30: (16, 30),
    ON_TIME: (31, None),
}
LABELS = {
    OVERDUE: _("Vencido"),
    TODAY: _("Vence hoy"),
    WITHIN_15: _("≤ 15 días"),
    WITHIN_30: _("≤ 30 días"),
    ON_TIME: _("A tiempo"),
}
# «Vencido» is red; «Vence hoy» is amber with a red border, apart from the yellow ≤ 15 días.
CSS = {
    OVERDUE: "text-bg-danger",
    TODAY: "text-bg-warning border border-2 border-danger",
    WITHIN_15: "text-bg-warning",
    WITHIN_30: "text-bg-info",
    ON_TIME: "text-bg-success",
}


def light_code(max_delivery_date: datetime.date, today: datetime.date) -> str:
    """The light's code of a FecMaxEnt, without translating its label."""
    days = (max_delivery_date - today).days
    return next(code for code, (_first, last) in LIGHT_DAYS.items() if last is None or days <= last)


def deadline_light(max_delivery_date: datetime.date, today: datetime.date) -> tuple[str, str, str]:
    """`(code, label, css_class)`: vencido (the date has passed), vence hoy, ≤ 15 días,
    ≤ 30 días or a tiempo, counting calendar days from `today` to the maximum delivery date."""
    code = light_code(max_delivery_date, today)
    return code, str(LABELS[code]), CSS[code]
