"""bench/volume_supply.py's rows: `Writer` streams the candidate lines, samples them
evenly and writes each chosen line's deliverables with their chains (direccionamiento,
programación, entrega, reporte, facturación…, some annulled and made again) and audit
entries as COPY text, a chunk to each copier in turn. `COPY_COLUMNS` says which columns each
table gets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from bench.copying import VolumeError, column, copy_escape, copy_in
from bench.volume_supply_world import CANDIDATES, NO_DIRECT_MODULUS, deliveries, params, tables
from entities.models import AuditEntry
from prescriptions.enums import CareSetting
from prescriptions.models import NonDeliveryCause
from supply.models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Programacion,
    ReporteEntrega,
    Suministro,
)

CHUNK_DELIVERABLES = 20_000  # about 100,000 rows a chunk, as bench/volume.py's
# Conditional shares: of the directed, 85 % programmed; of those, 70/85 delivered…
PROGRAMMED, DELIVERED, REPORTED, INVOICED = 0.85, 0.70, 0.60, 0.50
DATOS_SHARE, SUMINISTRO_SHARE = 0.5, 0.3  # of the invoiced / of the delivered
PARTIAL_SHARE = 0.10  # of the entregas
ANNULLED_SHARE = 0.03  # deliverables with one step annulled and made again
AMBITO_SHARE = 0.35  # of the lines of hospital and urgencias prescriptions
NO_DIRECT_CAUSES = ("6", "7", "8", "9", "18")
AMBITO_SETTINGS = (
    CareSetting.HOSPITALARIO_DOMICILIARIO,
    CareSetting.HOSPITALARIO_INTERNACION,
    CareSetting.URGENCIAS,
)
ANNULMENT_REASONS = [
    "Registrado con un dato equivocado.",
    "Cambio de proveedor a solicitud del paciente.",
    "Duplicado por reintento del servicio web.",
    "La cantidad no correspondía a lo prescrito.",
    "Se registró en la sede equivocada.",
]
PRICES = [150, 320, 480, 950, 1_800, 2_500, 4_200, 9_800, 15_000, 38_000, 120_000, 250_000]
CUOTAS = [4_500, 18_000, 47_100]
DAY = 86_400.0

# Columns each table gets (field names; `column` turns them into columns). Every table but
# the audit entries gets its ids from a block reserved before the load: later steps and the
# audit entries point at them.
_RECORD = "status entity created_at created_by channel annulled_at annulled_by annulment_reason"
COPY_COLUMNS = {
    Deliverable: "id line prescription delivery_number sub_number payer created_at",
    Direccionamiento: f"id deliverable {_RECORD} payer_code provider municipality "
    "max_delivery_date quantity patient_address technology_code",
    Programacion: f"id deliverable direccionamiento {_RECORD} sede max_delivery_date "
    "technology_code quantity",
    Entrega: f"id deliverable programacion {_RECORD} sede in_ambito technology_code quantity "
    "pending_quantity total cause delivered_on batch receiver_document_type "
    "receiver_document_number",
    ReporteEntrega: f"id deliverable entrega {_RECORD} delivered cause value",
    Facturacion: f"id deliverable entrega reporte {_RECORD} invoice_number payer_nit "
    "payer_code technology_code units unit_value total_value cuota_moderadora copago",
    DatosFacturados: f"id deliverable facturacion {_RECORD} comparator comparator_code "
    "homologous_code comparator_units homologous_units min_unit_value total_delivered "
    "comparator_total homologous_total",
    Suministro: f"id deliverable entrega {_RECORD} last_delivery complete cause "
    "associated_number associated_order quantity batch value",
    NoDireccionamiento: f"id line prescription {_RECORD} payer_code cause associated_number "
    "associated_order",
    AuditEntry: "created_at actor entity action content_type object_id data",
}
COPY_COLUMNS = {model: columns.split() for model, columns in COPY_COLUMNS.items()}
MODELS = list(COPY_COLUMNS)
WITH_IDS = MODELS[:-1]  # all but the audit entries
TWICE = (Direccionamiento, Programacion, Entrega, ReporteEntrega, Facturacion)  # made again


def _copy_sql(model) -> str:
    columns = ", ".join(connection.ops.quote_name(column(model, n)) for n in COPY_COLUMNS[model])
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN"


class Writer:
    """Streams the candidate lines, samples them evenly and writes each chosen line's
    deliverables with their chains as COPY text, a chunk to each copier in turn."""

    def __init__(self, rng, world, first_ids, target, share, audit) -> None:
        self.rng, self.world, self.target, self.share, self.audit = (
            rng,
            world,
            target,
            share,
            audit,
        )
        self.next_id = dict(first_ids)
        self.say: Callable[[str], None] = lambda message: None
        self.chunk = CHUNK_DELIVERABLES
        self.rows = {model._meta.db_table: 0 for model in MODELS}
        self.stages = dict.fromkeys(
            ("directed", "ambito", "programmed", "delivered", "reported", "invoiced"), 0
        )
        self.stages.update(datos_facturados=0, suministro=0, annulled_redone=0, no_direct=0)
        self.buffers = {model: [] for model in MODELS}
        self.now = time.time() - 60
        self.zone_offset = (
            timezone.now().astimezone(timezone.get_default_timezone()).utcoffset().total_seconds()
        )
        self.content_types = {
            model: ContentType.objects.get_for_model(model).pk for model in MODELS
        }
        causes = list(NonDeliveryCause.objects.all())
        self.no_direct_causes = [c.pk for c in causes if c.code in NO_DIRECT_CAUSES]
        self.partial_causes = {
            kind: [
                c.pk
                for c in causes
                if c.for_partial_delivery
                and c.applies_to(kind)
                and not c.needs_associated_prescription
            ]
            for kind in "MPDNS"
        }

    # -- helpers ------------------------------------------------------------------------

    def _id(self, model) -> int:
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def _stamp(self, t: float) -> str:
        return datetime.fromtimestamp(t, UTC).isoformat()

    def _local_date(self, t: float) -> str:
        return datetime.fromtimestamp(t + self.zone_offset, UTC).date().isoformat()

    def _later(self, t: float, low_days: float, high_days: float) -> float:
        return t + self.rng.uniform(low_days, high_days) * DAY

    def _audit(self, t, actor, entity, action, model, pk, data: str) -> None:
        if self.audit:
            self.buffers[AuditEntry].append(
                f"{self._stamp(t)}\t{actor}\t{entity}\t{action}\t{self.content_types[model]}\t"
                f"{pk}\t{data}\n"
            )

    def _record(self, t, entity, actor, status=1, annulled=None) -> str:
        """The Record columns: state, who, when, channel, annulment."""
        user = actor if actor else "\\N"
        channel = "web" if actor else "ws"
        if annulled is None:
            return f"{status}\t{entity}\t{self._stamp(t)}\t{user}\t{channel}\t\\N\t\\N\t"
        at, reason = annulled
        return (
            f"0\t{entity}\t{self._stamp(t)}\t{user}\t{channel}\t{self._stamp(at)}\t{user}\t{reason}"
        )

    def _flush(self, copiers, turn: int) -> None:
        copier = copiers[turn % len(copiers)]
        for model, rows in self.buffers.items():
            if rows:
                data = "".join(rows).encode()
                sql = _copy_sql(model)
                copier.run(lambda cursor, sql=sql, data=data: copy_in(cursor, sql, data))
                self.rows[model._meta.db_table] += len(rows)
                rows.clear()

    # -- the stream ---------------------------------------------------------------------

    def run(self, copiers, reader) -> None:
        reader.execute(CANDIDATES.format(**tables()) + " ORDER BY l.id", params())
        rng, share = self.rng, self.share
        made = pending = turn = 0
        credit = 3.0  # starts full: the last lines still reach the target
        while made < self.target:
            batch = reader.fetchmany(20_000)
            if not batch:
                break
            for row in batch:
                line_id, supply_type, total = row[0], row[4], row[5]
                if line_id % NO_DIRECT_MODULUS == 0:
                    if rng.random() < share:
                        self._no_direccionamiento(row)
                    continue
                route = self.world.route(rng, row[8], row[9], row[12])
                if route is None:
                    continue
                k = deliveries(supply_type, total)
                credit += share * k
                if credit < k:
                    continue
                credit -= k
                k = min(k, self.target - made)
                self._line(row, route, k)
                made += k
                pending += k
                if pending >= self.chunk:
                    self._flush(copiers, turn)
                    turn += 1
                    pending = 0
                    self.say(f"deliverables {made:,}/{self.target:,}")
                if made >= self.target:
                    break
        self._flush(copiers, turn)
        if made < self.target:
            raise VolumeError(f"only {made:,} deliverables could be made of {self.target:,}")

    def _no_direccionamiento(self, row) -> None:
        line_id, prescription, prescribed = row[0], row[1], row[7].timestamp()
        payer, code = row[8], row[9]
        t = min(self._later(prescribed, 0.1, 5), self.now)
        actor = self.world.admins.get(payer)
        cause = self.rng.choice(self.no_direct_causes)
        pk = self._id(NoDireccionamiento)
        self.buffers[NoDireccionamiento].append(
            f"{pk}\t{line_id}\t{prescription}\t{self._record(t, payer, actor)}\t{code or '\\N'}\t"
            f"{cause}\t\t\\N\n"
        )
        self.stages["no_direct"] += 1
        data = json.dumps({"id": pk, "number": row[6], "line": f"{row[2]}{row[3]}"})
        self._audit(
            t, actor or "\\N", payer, "supply.no_direccionamiento.created",
            NoDireccionamiento, pk, copy_escape(data),
        )  # fmt: skip

    def _line(self, row, route, k: int) -> None:
        (line_id, prescription, kind, order, _supply, total, number, prescribed_at, payer,
         code, setting, prescriber, municipality, address, doc_type, doc_number,
         catalog_code) = row  # fmt: skip
        rng = self.rng
        prescribed = prescribed_at.timestamp()
        technology = catalog_code or f"{(line_id * 7919) % 90_000_000 + 10_000_000}-01"
        base, extra = divmod(total, k)
        ambito = setting in AMBITO_SETTINGS and rng.random() < AMBITO_SHARE
        price = rng.choice(PRICES)
        line = {
            "id": line_id,
            "prescription": prescription,
            "key": f"{kind}{order}",
            "kind": kind,
            "number": number,
            "payer": payer,
            "code": code,
            "prescriber": prescriber,
            "municipality": municipality,
            "address": copy_escape((address or "Sin dirección")[:200]),
            "receiver": (doc_type, doc_number),
            "technology": technology,
            "price": price,
            "prescribed": prescribed,
        }
        # The payer directs the whole schedule at once, a few hours to days after issue.
        directed = min(max(self._later(prescribed, 0.05, 4), prescribed + 60), self.now)
        provider = route()
        for delivery in range(1, k + 1):
            quantity = base + (extra if delivery == 1 else 0)
            if ambito:
                self._ambito(line, delivery, quantity, prescribed, k)
            else:
                self._chain(line, delivery, quantity, directed, provider, k)

    def _deliverable(self, line, delivery: int, t: float) -> int:
        pk = self._id(Deliverable)
        self.buffers[Deliverable].append(
            f"{pk}\t{line['id']}\t{line['prescription']}\t{delivery}\t0\t{line['payer']}\t"
            f"{self._stamp(t)}\n"
        )
        return pk

    def _chain(self, line, delivery, quantity, directed, provider, k) -> None:
        """direccionamiento → programación → entrega → reporte → facturación → datos
        facturados, and the payer's suministro; each step only if its time has come."""
        rng, now, world = self.rng, self.now, self.world
        payer, code = line["payer"], line["code"]
        deliverable = self._deliverable(line, delivery, directed)
        # Each month's delivery is due a month after the previous one.
        month = (delivery - 1) * 30
        due = self._local_date(directed + (rng.uniform(5, 30) + month) * DAY)
        times = {"direccionamiento": directed}
        t = self._later(directed, 0.04, 3) + max(0, month - 10) * DAY
        for step, share, low, high in (
            ("programacion", PROGRAMMED, 0.04, 3),
            ("entrega", DELIVERED / PROGRAMMED, 0.1, 6),
            ("reporte", REPORTED / DELIVERED, 0.04, 10),
            ("facturacion", INVOICED / REPORTED, 1, 30),
        ):
            if t > now or rng.random() >= share:
                break
            times[step] = t
            t = self._later(t, low, high)
        self._payer_steps(times)
        redo = None
        if rng.random() < ANNULLED_SHARE:
            redo = rng.choice([s for s in _REDO if s in times])
            self.stages["annulled_redone"] += 1
        step = _Step(self, line, deliverable, delivery, times, redo)
        sede = rng.choice(world.sedes[provider])
        provider_admin = world.admins.get(provider)
        directed_id = step.emit(
            Direccionamiento,
            payer,
            world.admins.get(payer),
            f"{deliverable}\t",
            f"{code or '\\N'}\t{provider}\t{line['municipality']}\t{due}\t{quantity}\t"
            f"{line['address']}\t{line['technology']}",
        )
        self.stages["directed"] += 1
        if "programacion" not in times:
            return
        programmed_id = step.emit(
            Programacion,
            provider,
            provider_admin,
            f"{deliverable}\t{directed_id}\t",
            f"{sede}\t{due}\t{line['technology']}\t{quantity}",
        )
        self.stages["programmed"] += 1
        if "entrega" not in times:
            return
        delivered, cause, columns = self._entrega_columns(line, quantity, times["entrega"], sede)
        entrega = step.emit(
            Entrega,
            provider,
            world.dispensadores.get(provider),
            f"{deliverable}\t{programmed_id}\t",
            columns,
        )
        self.stages["delivered"] += 1
        self._after_entrega(step, entrega, delivered, cause, provider, provider_admin, k)

    def _payer_steps(self, times: dict) -> None:
        """The payer's datos facturados and suministro, when their time has come."""
        if "facturacion" in times and self.rng.random() < DATOS_SHARE:
            t = self._later(times["facturacion"], 1, 20)
            if t <= self.now:
                times["datos"] = t
        if "entrega" in times and self.rng.random() < SUMINISTRO_SHARE:
            t = self._later(times["entrega"], 1, 30)
            if t <= self.now:
                times["suministro"] = t

    def _entrega_columns(self, line, quantity: int, t: float, sede) -> tuple[int, str, str]:
        """(quantity delivered, its cause when partial, the Entrega columns from sede to the
        receiver's document). En ámbito (`sede` None here) nothing is left pending, as
        `entrega_ambito_create` records it."""
        rng = self.rng
        delivered, total, cause = quantity, "t", "\\N"
        causes = self.partial_causes[line["kind"]]
        if quantity >= 2 and causes and rng.random() < PARTIAL_SHARE:
            delivered, total, cause = rng.randint(1, quantity - 1), "f", rng.choice(causes)
        batch = f"L{rng.randrange(10_000, 99_999)}" if line["kind"] == "M" else ""
        doc_type, doc_number = line["receiver"]
        ambito = "f" if sede is not None else "t"
        pending = quantity - delivered if sede is not None else 0
        return (
            delivered,
            cause,
            f"{sede if sede is not None else '\\N'}\t{ambito}\t{line['technology']}\t"
            f"{delivered}\t{pending}\t{total}\t{cause}\t{self._local_date(t)}\t"
            f"{batch}\t{doc_type}\t{doc_number}",
        )

    def _after_entrega(self, step, entrega, delivered, cause, provider, admin, k) -> None:
        """Reporte, facturación, datos facturados and suministro of an entrega."""
        line, times, deliverable = step.line, step.times, step.deliverable
        payer, code, price = line["payer"], line["code"], line["price"]
        gross = delivered * price * 100
        value = _money(gross)
        if "reporte" in times:
            reporte = step.emit(
                ReporteEntrega, provider, admin, f"{deliverable}\t{entrega}\t", f"t\t\\N\t{value}"
            )
            self.stages["reported"] += 1
        if "facturacion" in times:
            cuota = copago = 0
            if code in self.world.subsidiado:
                copago = gross // 10 if self.rng.random() < 0.3 else 0
            elif code and self.rng.random() < 0.4:
                cuota = min(self.rng.choice(CUOTAS) * 100, gross)
            factura = step.emit(
                Facturacion,
                provider,
                admin,
                f"{deliverable}\t{entrega}\t{reporte}\t",
                f"FE{provider}-{deliverable}\t{self.world.nits[payer]}\t"
                f"{self.world.codes.get(code, '')}\t{line['technology']}\t{delivered}\t"
                f"{_money(price * 100)}\t{_money(gross - cuota - copago)}\t{_money(cuota)}\t"
                f"{_money(copago)}",
            )
            self.stages["invoiced"] += 1
        payer_admin = self.world.admins.get(payer)
        if "datos" in times:
            step.emit(
                DatosFacturados,
                payer,
                payer_admin,
                f"{deliverable}\t{factura}\t",
                f"3\t\t\t0\t0\t0\t{delivered}\t0\t0",
                key="datos",
            )
            self.stages["datos_facturados"] += 1
        if "suministro" in times:
            # Complete unless the entrega was partial, which then gives the cause.
            last, complete = ("t" if step.delivery == k else "f"), ("t" if cause == "\\N" else "f")
            step.emit(
                Suministro,
                payer,
                payer_admin,
                f"{deliverable}\t{entrega}\t",
                f"{last}\t{complete}\t{cause}\t\t\\N\t{delivered}\t\t{value}",
            )
            self.stages["suministro"] += 1

    def _ambito(self, line, delivery, quantity, prescribed, k) -> None:
        """An entrega en ámbito by the prescribing IPS (no direccionamiento), then its
        reporte and facturación by the same IPS."""
        ips, rng = line["prescriber"], self.rng
        t = min(self._later(prescribed, 0.01, 2) + (delivery - 1) * 30 * DAY, self.now)
        deliverable = self._deliverable(line, delivery, t)
        times = {"entrega": t}
        for step, share, low, high in (
            ("reporte", REPORTED / DELIVERED, 0.04, 10),
            ("facturacion", INVOICED / REPORTED, 1, 30),
        ):
            t = self._later(t, low, high)
            if t > self.now or rng.random() >= share:
                break
            times[step] = t
        step = _Step(self, line, deliverable, delivery, times, None)
        delivered, cause, columns = self._entrega_columns(line, quantity, times["entrega"], None)
        sede = rng.choice(self.world.sedes.get(ips) or [None])
        columns = (f"{sede}" if sede else "\\N") + columns[columns.index("\t") :]
        entrega = step.emit(
            Entrega,
            ips,
            self.world.dispensadores.get(ips),
            f"{deliverable}\t\\N\t",
            columns,
            action="entrega_ambito",
        )
        self.stages["ambito"] += 1
        self.stages["delivered"] += 1
        self._after_entrega(step, entrega, delivered, cause, ips, self.world.admins.get(ips), k)


# Each step: its key in `times`, the step that consumes it (procesado), its audit action.
_STEPS = {
    Direccionamiento: ("direccionamiento", "programacion", "direccionamiento"),
    Programacion: ("programacion", "entrega", "programacion"),
    Entrega: ("entrega", "reporte", "entrega"),
    ReporteEntrega: ("reporte", "facturacion", "reporte_entrega"),
    Facturacion: ("facturacion", "datos", "facturacion"),
    DatosFacturados: ("datos", None, "datos_facturados"),
    Suministro: ("suministro", None, "suministro"),
}
_REDO = ("direccionamiento", "programacion", "entrega", "reporte", "facturacion")


class _Step:
    """Writes the steps of one deliverable: each record with its state and audit entry,
    and, for the step drawn to have been annulled and made again, the annulled twin."""

    def __init__(self, writer: Writer, line, deliverable, delivery, times, redo) -> None:
        self.writer, self.line, self.deliverable, self.delivery = (
            writer,
            line,
            deliverable,
            delivery,
        )
        self.times, self.redo = times, redo

    def emit(self, model, entity, actor, head: str, tail: str, *, key=None, action=None) -> int:
        writer = self.writer
        name, consumer, default_action = _STEPS[model]
        t = self.times[key or name]
        if self.redo == name:
            self._twin(model, t, entity, actor, head, tail, default_action)
        pk = writer._id(model)
        status = 2 if consumer in self.times else 1
        writer.buffers[model].append(
            f"{pk}\t{head}{writer._record(t, entity, actor, status)}\t{tail}\n"
        )
        data = self._data(pk)
        writer._audit(t, actor or "\\N", entity, f"supply.{action or default_action}.created",
                      model, pk, data)  # fmt: skip
        return pk

    def _data(self, pk) -> str:
        return (
            f'{{"id": {pk}, "ID": {self.deliverable}, "number": "{self.line["number"]}", '
            f'"line": "{self.line["key"]}", "delivery": "{self.delivery}"}}'
        )

    def _twin(self, model, t_next, entity, actor, head, tail, action) -> None:
        """Made between the step before and this one, annulled before this one was made
        (the step before was active again in between)."""
        writer = self.writer
        before = max(
            (v for v in self.times.values() if v < t_next), default=self.line["prescribed"]
        )
        made = before + (t_next - before) * 0.3
        annulled = before + (t_next - before) * 0.6
        reason = writer.rng.choice(ANNULMENT_REASONS)
        pk = writer._id(model)
        record = writer._record(made, entity, actor, annulled=(annulled, reason))
        writer.buffers[model].append(f"{pk}\t{head}{record}\t{tail}\n")
        data = self._data(pk)
        actor = actor or "\\N"
        writer._audit(made, actor, entity, f"supply.{action}.created", model, pk, data)
        annul = copy_escape(json.dumps({**json.loads(data), "reason": reason}, ensure_ascii=False))
        writer._audit(annulled, actor, entity, f"supply.{model._meta.model_name}.annulled",
                      model, pk, annul)  # fmt: skip


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
