"""The three MIPRES bases (research §0.3: the segment order is the contract's, irregular
as it is). webservices.middleware makes them case-insensitive."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .paths import BILLING_BASE, PRESCRIPTION_BASE, SUPPLY_BASE
from .views import billing, prescriptions, supply
from .views.base import (
    FECHA_MODE,
    PATIENT_MODE,
    annul_view,
    list_view,
    many_view,
    put_view,
)
from .views.tokens import token_view

_LIST_PATHS = {
    FECHA_MODE: "<str:nit>/<str:token>/<str:fecha>",
    PATIENT_MODE: "<str:nit>/<str:fecha>/<str:token>/<str:tipodoc>/<str:numdoc>",
}
_NUMBER_PATH = "<str:nit>/<str:token>/<str:numero>"


def _patterns(tag: str, puts=(), lists=(), annuls=(), token=False) -> list:
    patterns = []
    if token:
        patterns.append(path("GenerarToken/<str:nit>/<str:guid>", token_view(tag).as_view()))
    for operation in puts:
        patterns.append(
            path(f"{operation.name}/<str:nit>/<str:token>", put_view(operation, tag).as_view())
        )
        if operation.many:
            patterns.append(
                path(
                    f"{operation.name}XMany/<str:nit>/<str:token>",
                    many_view(operation, tag).as_view(),
                )
            )
    for operation in lists:
        route = _LIST_PATHS.get(operation.mode, _NUMBER_PATH)
        patterns.append(path(f"{operation.name}/{route}", list_view(operation, tag).as_view()))
    for operation in annuls:
        patterns.append(
            path(
                f"{operation.name}/<str:nit>/<str:token>/<str:id>",
                annul_view(operation, tag).as_view(),
            )
        )
    return patterns


supply_patterns = _patterns("sum", supply.PUTS, supply.LISTS, supply.ANNULS, token=True)
billing_patterns = _patterns("fac", billing.PUTS, billing.LISTS, billing.ANNULS, token=True)
prescription_patterns = prescriptions.PATTERNS


def _swagger(base: str):
    # The split view serves its script from its own URL: the CSP allows no inline script.
    return path(
        f"{base}/swagger/ui/index",
        SpectacularSwaggerSplitView.as_view(url_name="webservices:schema"),
        name=f"swagger_{base.lower()}",
    )


app_name = "webservices"
urlpatterns = [
    path(f"{SUPPLY_BASE}/api/", include(supply_patterns)),
    path(f"{BILLING_BASE}/api/", include(billing_patterns)),
    path(f"{PRESCRIPTION_BASE}/api/", include(prescription_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="webservices:schema"), name="docs"
    ),
    _swagger(SUPPLY_BASE),
    _swagger(BILLING_BASE),
    _swagger(PRESCRIPTION_BASE),
]
