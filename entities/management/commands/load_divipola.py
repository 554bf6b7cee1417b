from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from entities import audit
from entities.divipola import import_municipalities
from entities.models import Department, Municipality
from mipres.lib.csvfiles import read_rows


class Command(BaseCommand):
    help = (
        "Carga o actualiza los municipios de DIVIPOLA desde un CSV con las columnas code, "
        "name, department_code, department_name (el formato de shared/data/municipios.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            rows = read_rows(file)
        except OSError as error:
            raise CommandError(f"No se pudo leer {file}: {error}") from error
        if rows and "code" not in rows[0]:
            raise CommandError("El archivo no tiene la columna «code».")
        with transaction.atomic():
            report = import_municipalities(rows, Department, Municipality)
            audit.log(
                actor=None,
                action="entities.divipola.imported",
                data={
                    "file": str(file),
                    "created": report.created,
                    "updated": report.updated,
                    "rejected": len(report.rejected),
                },
            )
        for line, reason in report.rejected:
            self.stderr.write(f"línea {line}: rechazada: {reason}")
        self.stdout.write(
            f"DIVIPOLA: {report.created} creados, {report.updated} actualizados, "
            f"{report.unchanged} sin cambios, {len(report.rejected)} rechazados; "
            f"{Municipality.objects.count()} municipios en total."
        )
