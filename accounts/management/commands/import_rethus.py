from django.core.management.base import BaseCommand, CommandError

from accounts.models import ProfessionalRecord
from accounts.registries import RETHUS_COLUMNS, import_professional_records, missing_columns
from mipres.lib.csvfiles import read_rows


class Command(BaseCommand):
    help = (
        "Carga o actualiza el espejo de RETHUS desde un CSV (UTF-8 o Latin-1, separado por "
        "comas o punto y coma) con las columnas tipo_documento, numero_documento, "
        "primer_nombre, segundo_nombre, primer_apellido, segundo_apellido, profesion, "
        "registro_profesional, activo. Ver docs/registries.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--source",
            default="rethus_csv",
            help="Nombre de la fuente que queda en cada registro (por defecto rethus_csv).",
        )

    def handle(self, *args, file, source, **options):
        try:
            rows = read_rows(file)
        except OSError as error:
            raise CommandError(f"No se pudo leer {file}: {error}") from error
        missing = missing_columns(rows, RETHUS_COLUMNS)
        if missing:
            raise CommandError(f"Al archivo le faltan las columnas: {', '.join(missing)}.")
        try:
            report = import_professional_records(rows, actor=None, source=source)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for line, reason in report.rejected:
            self.stderr.write(f"línea {line}: rechazada: {reason}")
        self.stdout.write(
            f"RETHUS: {report.created} creados, {report.updated} actualizados, "
            f"{report.unchanged} sin cambios, {len(report.rejected)} rechazados; "
            f"{ProfessionalRecord.objects.count()} registros en total."
        )
