"""Annulling any supply step, newest first, through a confirmation page (STYLE R8)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entities.decorators import entity_any_permission_required
from mipres.lib.errors import DomainError
from mipres.lib.forms import add_service_error
from mipres.lib.layout import form_helper
from mipres.lib.next_url import safe_next

from ..selectors.kinds import KIND_LABELS
from ..selectors.steps import step_get_own
from ..services import step_annul
from ..services.annulment import STEPS

ALL_SUPPLY_PERMS = sorted({perm for perms, _label, _prev in STEPS.values() for perm in perms})


class AnnulForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la anulación"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Queda en el registro y en la auditoría; el registro no se borra."),
        error_messages={"required": _("Indique el motivo de la anulación.")},
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(submit_label or _("Anular"), "reason")
        self.helper.attrs = {"novalidate": ""}
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)


def back_url(request, step) -> str:
    """Where to return: the page the user came from (same site), else the timeline."""
    number = _prescription(step).number
    return safe_next(
        request, reverse("supply:prescription", args=[request.entity.external_id, number])
    )


def _prescription(step):
    deliverable = getattr(step, "deliverable", None)
    return deliverable.prescription if deliverable is not None else step.line.prescription


@entity_any_permission_required(*ALL_SUPPLY_PERMS)
def annul_confirm(request, kind, pk):
    """The step, what annulling it does, and a mandatory reason."""
    step = step_get_own(entity=request.entity, kind=kind, pk=pk)
    if not request.entity_perms.intersection(STEPS[type(step)][0]):
        raise PermissionDenied
    label = KIND_LABELS[kind]
    form = AnnulForm(request.POST or None, submit_label=_("Anular %(what)s") % {"what": label})
    back = back_url(request, step)
    if request.method == "POST" and form.is_valid():
        try:
            step_annul(
                actor=request.user,
                entity=request.entity,
                step=step,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            if error.field:
                form.add_service_error(error)
            else:
                messages.error(request, error.message)
                return redirect(back)
        else:
            messages.success(
                request, _("%(what)s %(id)s anulado.") % {"what": label, "id": step.pk}
            )
            return redirect(back)
    context = {
        "entity": request.entity,
        "step": step,
        "kind": kind,
        "label": label,
        "prescription": _prescription(step),
        "form": form,
        "back": back,
    }
    return render(request, "supply/annul_confirm.html", context)
