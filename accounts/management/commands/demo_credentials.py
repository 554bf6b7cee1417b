import json

from django.core.management.base import BaseCommand

from mipres.lib.demo import demo_modules


class Command(BaseCommand):
    help = "Muestra los usuarios de demostración y su contraseña (--json para máquinas)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Salida en JSON.")

    def handle(self, *args, as_json: bool = False, **options):
        data: dict = {}
        for module in demo_modules():
            for key, rows in module.credentials().items():
                data.setdefault(key, []).extend(rows)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for admin in data.get("admins", []):
            self.stdout.write(
                f"{admin['document_type']} {admin['document_number']:<12} {admin['password']:<18} "
                f"{admin['description']}"
            )
        for user in data.get("users", []):
            self.stdout.write(
                f"{user['document_type']} {user['document_number']:<12} {user['password']:<18} "
                f"{user['entity_type']:<10} {','.join(user['roles']):<15} {user['entity_name']}"
            )
