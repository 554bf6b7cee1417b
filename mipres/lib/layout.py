"""crispy-forms layout helpers shared by every form (STYLE R11)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit


def row(*columns: tuple[str, int]) -> Div:
    """A Bootstrap row of fields, each with its column width on medium screens and up."""
    return Div(
        *(Div(name, css_class=f"col-md-{width}") for name, width in columns), css_class="row"
    )


def form_helper(submit_label=None, *layout, method: str = "post") -> FormHelper:
    """A FormHelper with an optional layout and submit button."""
    helper = FormHelper()
    helper.form_method = method
    if layout:
        helper.layout = Layout(*layout)
    if submit_label:
        helper.add_input(Submit("submit", submit_label))
    return helper
