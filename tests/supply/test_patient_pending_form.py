"""«Pendientes por paciente»: both search fields are required, and the form, written by
`mipres.lib.filter_form`, shows it as crispy did (asterisk, `required` on the controls)."""

from django.urls import reverse


def _page(client, world, params=None):
    client.force_login(world["eps_admin"])
    target = reverse("supply:patient_pending", args=[world["eps"].external_id])
    return client.get(target, params).content.decode()


def test_the_search_fields_are_marked_required(client, world):
    html = _page(client, world)
    assert (
        '<label for="id_document_type" class="form-label requiredField">'
        'Tipo de documento<span class="asteriskField">*</span></label>'
    ) in html
    assert (
        '<label for="id_document_number" class="form-label requiredField">'
        'Número de documento<span class="asteriskField">*</span></label>'
    ) in html
    assert '<select name="document_type" class="select form-select" required' in html
    assert 'class="textinput form-control" maxlength="20" required id="id_document_number"' in html


def test_a_missing_number_keeps_required_beside_its_error(client, world):
    html = _page(client, world, {"document_type": "CC"})
    assert (
        'class="textinput form-control is-invalid" maxlength="20" required '
        'id="id_document_number" aria-invalid="true"'
    ) in html
    assert "Indique el número de documento del paciente." in html
