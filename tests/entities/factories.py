import factory
from django.utils import timezone
from stdnum.co import nit as stdnum_nit

from entities.models import Entity, Membership, Municipality, PayerCode, Sede


def _nit(n: int) -> str:
    return f"{800_000_000 + n}"


class EntityFactory(factory.django.DjangoModelFactory):
    """A verified entity in Medellín (a capital the repository always ships)."""

    class Meta:
        model = Entity

    entity_type = "IPS"
    nit = factory.Sequence(_nit)
    dv = factory.LazyAttribute(lambda o: stdnum_nit.calc_check_digit(o.nit))
    name = factory.Sequence(lambda n: f"Entidad de prueba {n}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="05001"))
    status = Entity.Status.VERIFIED
    registration_confirmed_at = factory.LazyFunction(timezone.now)
    reps_code = factory.LazyAttribute(
        lambda o: f"05001{o.nit[-5:]}01" if o.entity_type == "IPS" else ""
    )
    dane_code = factory.LazyAttribute(lambda o: "05" if o.entity_type == "ET" else "")


class PayerCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayerCode

    entity = factory.SubFactory(EntityFactory, entity_type="EPS")
    code = factory.Sequence(lambda n: f"EPT{n:03d}")
    regime = "contributivo"


class SedeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sede

    entity = factory.SubFactory(EntityFactory, entity_type="PROVEEDOR")
    code = factory.Sequence(lambda n: f"{n + 1:02d}")
    name = factory.Sequence(lambda n: f"Sede {n}")
    address = "Calle 1 # 2-3"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="05001"))


def grant(user, entity, role) -> Membership:
    """A fixture shortcut: give a role directly (the service is tested on its own)."""
    return Membership.objects.create(user=user, entity=entity, role=role)
