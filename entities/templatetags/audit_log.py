"""The audit trail in words: `{{ entry|audit_sentence }}`, `{{ entry|audit_details:show_ip }}`."""

from django import template

from entities import audit

register = template.Library()


@register.filter
def audit_sentence(entry) -> str:
    return audit.sentence(entry.action)


@register.filter
def audit_details(entry, show_ip=False) -> list[tuple[str, str]]:
    return audit.details(entry.data, show_ip=bool(show_ip))
