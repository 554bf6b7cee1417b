from django.core.management.base import BaseCommand, CommandError

from accounts.registries import missing_columns
from mipres.lib.csvfiles import read_rows
from prescriptions.models import Affiliation
from prescriptions.services import BDUA_COLUMNS, affiliation_import


class Command(BaseCommand):
    help = (
        "Carga o actualiza las afiliaciones (espejo de la BDUA) desde un CSV (UTF-8 o "
        "Latin-1, separado por comas o punto y coma) con las columnas tipo_documento, "
        "numero_documento, codigo_eps, fecha_afiliacion y, opcionales, regimen, activo, "
        "fecha_retiro, primer_nombre, segundo_nombre, primer_apellido, segundo_apellido, "
        "fecha_nacimiento, sexo, municipio. Ver docs/patients.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--source",
            default="bdua_csv",
            help="Nombre de la fuente que queda en cada afiliación (por defecto bdua_csv).",
        )

    def handle(self, *args, file, source, **options):
        try:
            rows = read_rows(file)
        except OSError as error:
            raise CommandError(f"No se pudo leer {file}: {error}") from error
        missing = missing_columns(rows, BDUA_COLUMNS)
        if missing:
            raise CommandError(f"Al archivo le faltan las columnas: {', '.join(missing)}.")
        try:
            report = affiliation_import(rows, actor=None, source=source)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for line, reason in report.rejected:
            self.stderr.write(f"línea {line}: rechazada: {reason}")
        self.stdout.write(
            f"BDUA: {report.created} creadas, {report.updated} actualizadas, "
            f"{report.unchanged} sin cambios, {len(report.rejected)} rechazadas; "
            f"{report.patients_created} pacientes creados, {report.closed} afiliaciones "
            f"cerradas por cambio de EPS; "
            f"{Affiliation.objects.filter(active=True).count()} afiliaciones activas en total."
        )
