"""Writing the audit trail. Services call `log` inside their transaction (STYLE R9)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from mipres.lib.request_context import client_ip

from .models import AuditEntry, Entity


def log(
    *,
    actor,
    action: str,
    entity: Entity | None = None,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEntry:
    """Record `action` (dotted, e.g. 'entities.entity.verified') done by `actor`.

    `actor` None means the system (a management command). The client's IP is added when
    the change comes from a web request.
    """
    payload = dict(data or {})
    ip = client_ip.get()
    if ip:
        payload["ip"] = ip
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        entity=entity,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        data=payload,
    )
