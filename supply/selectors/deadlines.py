"""The deadline light of a delivery by its `FecMaxEnt` (issue 5 §3, §8): shared by the
payer's pending deliveries of a patient and the provider's worklist."""

import datetime

from django.utils.translation import gettext as _

OVERDUE = "vencido"
WITHIN_15 = "15_dias"
WITHIN_30 = "30_dias"
ON_TIME = "a_tiempo"


def deadline_light(max_delivery_date: datetime.date, today: datetime.date) -> tuple[str, str, str]:
    """`(code, label, css_class)`: vencido (the date has passed), ≤ 15 días, ≤ 30 días or a
    tiempo, counting calendar days from `today` to the maximum delivery date."""
    days = (max_delivery_date - today).days
    if days < 0:
        return OVERDUE, _("Vencido"), "text-bg-danger"
    if days <= 15:
        return WITHIN_15, _("≤ 15 días"), "text-bg-warning"
    if days <= 30:
        return WITHIN_30, _("≤ 30 días"), "text-bg-info"
    return ON_TIME, _("A tiempo"), "text-bg-success"
