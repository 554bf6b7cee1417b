import factory

from accounts.models import DocumentType, User

PASSWORD = "Clave.Segura.2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a usable password (PASSWORD)."""

    class Meta:
        model = User

    document_type = DocumentType.CC
    document_number = factory.Sequence(lambda n: f"{52_000_000 + n}")
    first_name = factory.Faker("first_name", locale="es_CO")
    first_surname = factory.Faker("last_name", locale="es_CO")
    email = factory.Sequence(lambda n: f"persona{n}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)
