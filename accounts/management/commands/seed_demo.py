from django.core.management.base import BaseCommand
from django.db import transaction

from mipres.lib.demo import demo_modules


class Command(BaseCommand):
    help = (
        "Crea (o completa) el mundo de demostración: entidades, redes, sedes y un usuario "
        "por cada rol. Se puede ejecutar varias veces sin duplicar nada."
    )

    def handle(self, *args, **options):
        world: dict = {}
        with transaction.atomic():
            for module in demo_modules():
                module.seed(world)
        self.stdout.write(
            "Mundo de demostración listo. Vea los usuarios con: manage.py demo_credentials"
        )
