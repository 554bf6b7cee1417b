import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mipres.lib.errors import DomainError
from prescriptions.catalogs import CATALOGS, catalog_files, import_catalog_file
from prescriptions.models import CatalogSource

# Rejected lines printed per file; the count covers them all.
MAX_REJECTIONS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Carga o actualiza un catálogo de MIPRES desde un CSV con las columnas code, name, "
        "enabled, version, valid_from (el formato de shared/data), o con --all DIR todos los "
        "catálogos que encuentre en DIR. Catálogos: " + ", ".join(CATALOGS) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="nombre del catálogo, p. ej. cie10")
        parser.add_argument("file", nargs="?", help="archivo CSV (UTF-8 o Latin-1, , o ;)")
        parser.add_argument(
            "--all", metavar="DIR", dest="directory", help="carga cada catálogo conocido de DIR"
        )
        parser.add_argument(
            "--source",
            choices=CatalogSource.values,
            default=CatalogSource.OFFICIAL,
            help="official (archivos de MinSalud), starter o demo (códigos inventados)",
        )
        parser.add_argument(
            "--disable-missing",
            action="store_true",
            help="deshabilita los códigos de esta fuente que el archivo ya no trae",
        )

    def handle(self, *args, name, file, directory, source, disable_missing, **options):
        if directory:
            if name or file:
                raise CommandError("Use NOMBRE ARCHIVO o --all DIR, no ambos.")
            if not Path(directory).is_dir():
                raise CommandError(f"No existe la carpeta {directory}.")
            jobs = catalog_files(directory)
            if not jobs:
                self.stdout.write(f"{directory}: ningún archivo de catálogo conocido.")
        elif name and file:
            if name not in CATALOGS:
                raise CommandError(
                    f"Catálogo «{name}» desconocido. Los catálogos son: {', '.join(CATALOGS)}."
                )
            jobs = [(name, Path(file))]
        else:
            raise CommandError("Indique NOMBRE ARCHIVO, o --all DIR.")
        for catalog, path in jobs:
            self._import(catalog, path, source=source, disable_missing=disable_missing)

    def _import(self, name, path, *, source, disable_missing):
        started = time.perf_counter()
        try:
            report = import_catalog_file(
                name, path, actor=None, source=source, disable_missing=disable_missing
            )
        except OSError as error:
            raise CommandError(f"No se pudo leer {path}: {error}") from error
        except DomainError as error:
            raise CommandError(f"{path}: {error}") from error
        for line, reason in report.rejected[:MAX_REJECTIONS_SHOWN]:
            self.stderr.write(f"{path.name}, línea {line}: rechazada: {reason}")
        hidden = len(report.rejected) - MAX_REJECTIONS_SHOWN
        if hidden > 0:
            self.stderr.write(f"{path.name}: … y {hidden} líneas rechazadas más.")
        self.stdout.write(
            f"{name}: {report.created} creados, {report.updated} actualizados, "
            f"{report.unchanged} sin cambios, {report.disabled} deshabilitados, "
            f"{len(report.rejected)} rechazados ({time.perf_counter() - started:.1f} s)."
        )
