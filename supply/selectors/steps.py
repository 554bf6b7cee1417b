"""One supply record as the acting entity may see it (STYLE R5)."""

from django.http import Http404

from entities.models import Entity

from .kinds import MODEL_BY_KIND


def step_get_own(*, entity: Entity, kind: str, pk: int):
    """The record of type `kind` that `entity` recorded; 404 for an unknown kind, another
    entity's record or none."""
    model = MODEL_BY_KIND.get(kind)
    if model is None:
        raise Http404
    related = ["deliverable__prescription__patient", "deliverable__line"]
    if not hasattr(model, "deliverable"):
        related = ["line__prescription__patient"]
    try:
        return model.objects.select_related(*related).get(pk=pk, entity=entity)
    except model.DoesNotExist:
        raise Http404 from None
