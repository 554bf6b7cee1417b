"""Writing the audit trail (services call `log` inside their transaction, STYLE R9) and
reading it: each action code as a Spanish sentence, its data as labelled details."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

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


# Every action code a service writes, as the sentence the history and audit pages show
# (tests/entities/test_audit_sentences.py checks that none is missing).
SENTENCES = {
    "accounts.credentials.requested": _("Solicitud de credenciales de acceso."),
    "accounts.credentials.set": _("Credenciales de acceso definidas."),
    "accounts.reps.imported": _("Importación del REPS."),
    "accounts.rethus.imported": _("Importación del RETHUS."),
    "accounts.user.registered": _("Usuario registrado."),
    "entities.divipola.imported": _("Importación de la DIVIPOLA."),
    "entities.entity.confirmed": _("Registro de la entidad confirmado."),
    "entities.entity.delegate_change_requested": _("Solicitud de cambio de delegado."),
    "entities.entity.delegate_designated": _("Delegado designado."),
    "entities.entity.registered": _("Entidad registrada."),
    "entities.entity.suspended": _("Entidad suspendida."),
    "entities.entity.verified": _("Entidad verificada por el Ministerio."),
    "entities.membership.activated": _("Rol activado para un usuario."),
    "entities.membership.inactivated": _("Rol inactivado para un usuario."),
    "entities.network_link.activated": _("Proveedor asociado a la red."),
    "entities.network_link.inactivated": _("Proveedor retirado de la red."),
    "entities.sede.created": _("Sede creada."),
    "entities.sede.updated": _("Sede modificada."),
    "entities.sede.inactivated": _("Sede inactivada."),
    "entities.sede.reactivated": _("Sede reactivada."),
    "entities.territorial_link.activated": _("Vínculo territorial activado."),
    "entities.territorial_link.inactivated": _("Vínculo territorial inactivado."),
    "jobs.import.queued": _("Importación en cola."),
    "patients.code.sent": _("Código de acceso enviado al paciente."),
    "patients.code.used": _("Código de acceso usado por el paciente."),
    "patients.renewal.requested": _("El paciente solicitó renovar una prescripción."),
    "patients.renewal.accepted": _("Solicitud de renovación aceptada."),
    "patients.renewal.declined": _("Solicitud de renovación rechazada."),
    "prescriptions.affiliation.imported": _("Importación de afiliaciones (BDUA)."),
    "prescriptions.catalog.imported": _("Importación de un catálogo."),
    "prescriptions.line.junta_decided": _("Decisión de la Junta de Profesionales."),
    "prescriptions.patient.looked_up": _("Consulta del paciente en la base nacional."),
    "prescriptions.patient.registered": _("Paciente registrado."),
    "prescriptions.patient.updated": _("Datos del paciente modificados."),
    "prescriptions.prescription.annulled": _("Prescripción anulada."),
    "prescriptions.prescription.issued": _("Prescripción expedida."),
    "prescriptions.prescription.transcribed": _("Prescripción transcrita."),
    "prescriptions.tutela.annulled": _("Tutela anulada."),
    "prescriptions.tutela.registered": _("Tutela registrada."),
    "supply.datos_facturados.created": _("Datos facturados registrados."),
    "supply.direccionamiento.created": _("Tecnología direccionada a un proveedor."),
    "supply.direccionamiento.overdue": _("Direccionamiento vencido sin entrega."),
    "supply.entrega.created": _("Entrega registrada."),
    "supply.entrega_ambito.created": _("Entrega en ámbito registrada."),
    "supply.facturacion.created": _("Facturación registrada."),
    "supply.no_direccionamiento.created": _("Tecnología marcada como no direccionada."),
    "supply.pendiente.created": _("Pendiente registrado."),
    "supply.procedure_supply.created": _("Dispositivo incluido en un procedimiento."),
    "supply.programacion.created": _("Entrega programada."),
    "supply.reporte_entrega.created": _("Reporte de entrega registrado."),
    "supply.suministro.created": _("Suministro registrado."),
    "supply.direccionamiento.annulled": _("Direccionamiento anulado."),
    "supply.nodireccionamiento.annulled": _("No direccionamiento anulado."),
    "supply.proceduresupply.annulled": _("Inclusión en procedimiento anulada."),
    "supply.programacion.annulled": _("Programación anulada."),
    "supply.entrega.annulled": _("Entrega anulada."),
    "supply.reporteentrega.annulled": _("Reporte de entrega anulado."),
    "supply.facturacion.annulled": _("Facturación anulada."),
    "supply.datosfacturados.annulled": _("Datos facturados anulados."),
    "supply.suministro.annulled": _("Suministro anulado."),
    "webservices.credential.rotated": _("Código de acceso a los servicios web renovado."),
}
# Edits in the Django admin: "<app>.<model>.created|changed|saved".
ADMIN_SENTENCES = {
    "created": _("Creación en la administración: %(model)s."),
    "changed": _("Cambio en la administración: %(model)s."),
    "saved": _("Cambio en la administración: %(model)s."),
}
UNKNOWN = _("Evento %(code)s.")

# The data's keys, as the details name them.
LABELS = {
    "act_date": _("fecha del acta"),
    "act_number": _("número del acta"),
    "additional_rulings": _("fallos adicionales"),
    "catalog": _("catálogo"),
    "cause": _("causa"),
    "changes": _("cambios"),
    "channel": _("canal"),
    "channels": _("canales"),
    "closed": _("cerrados"),
    "code": _("código"),
    "created": _("creados"),
    "delegate": _("delegado"),
    "delivered": _("entregado"),
    "disabled": _("deshabilitados"),
    "document": _("documento"),
    "fields": _("campos"),
    "file": _("archivo"),
    "first_time": _("primera vez"),
    "found": _("encontrado"),
    "from": _("desde"),
    "home_delivery": _("entrega a domicilio"),
    "installed": _("instalado"),
    "invoice_number": _("número de factura"),
    "ip": _("dirección IP"),
    "kind": _("tipo"),
    "line": _("línea"),
    "lines": _("líneas"),
    "max_delivery_date": _("fecha máxima de entrega"),
    "modality": _("modalidad"),
    "municipality": _("municipio"),
    "name": _("nombre"),
    "nit": _("NIT"),
    "number": _("número"),
    "origin": _("origen"),
    "original_reference": _("referencia original"),
    "patient": _("paciente"),
    "patients_created": _("pacientes creados"),
    "payer_code": _("código del pagador"),
    "payer_codes": _("códigos del pagador"),
    "procedure": _("procedimiento"),
    "professional": _("profesional"),
    "promised_at": _("fecha prometida"),
    "provider": _("proveedor"),
    "quantity": _("cantidad"),
    "reason": _("motivo"),
    "recipient": _("destinatario"),
    "rejected": _("rechazados"),
    "reps_code": _("código REPS"),
    "result": _("resultado"),
    "revoked": _("revocado"),
    "role": _("rol"),
    "ruling_number": _("número del fallo"),
    "sede": _("sede"),
    "sedes": _("sedes"),
    "source": _("fuente"),
    "territory": _("territorio"),
    "to": _("hasta"),
    "total": _("total"),
    "total_value": _("valor total"),
    "transcription_type": _("tipo de transcripción"),
    "type": _("tipo"),
    "unchanged": _("sin cambios"),
    "updated": _("actualizados"),
    "user": _("usuario"),
    "username": _("usuario"),
    "value": _("valor"),
    "via": _("medio"),
    "with_password": _("con contraseña"),
}
YES, NO = _("sí"), _("no")


def sentence(action: str) -> str:
    """The Spanish sentence for an action code."""
    if action in SENTENCES:
        return str(SENTENCES[action])
    app, _dot, rest = action.partition(".")
    model, _dot, verb = rest.partition(".")
    if verb in ADMIN_SENTENCES:
        from django.apps import apps

        try:
            name = apps.get_model(app, model)._meta.verbose_name
        except LookupError:
            name = model
        return str(ADMIN_SENTENCES[verb] % {"model": name})
    return str(UNKNOWN % {"code": action})


def _text(value) -> str:
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, dict):
        return "; ".join(f"{LABELS.get(k, k)}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    return "" if value is None else str(value)


def details(data: dict, *, show_ip: bool = False) -> list[tuple[str, str]]:
    """(label, value) for each item of an entry's data; the IP only where `show_ip`."""
    return [
        (str(LABELS.get(key, key.replace("_", " "))), _text(value))
        for key, value in (data or {}).items()
        if key != "ip" or show_ip
    ]
