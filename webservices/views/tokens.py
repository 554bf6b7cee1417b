"""GenerarToken on WSSUMMIPRESNOPBS and WSFACMIPRESNOPBS (research §1.1): the GUID of the
NIT for a temporal token valid 24 hours, answered as a quoted JSON string. Either base's
token works on both (clients of both styles exist)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from .. import services
from ..errors import WsError
from .base import NIT, WsView, authenticate, error_responses


def token_view(base_tag: str):
    class View(WsView):
        @extend_schema(
            operation_id=f"{base_tag}_GenerarToken_get",
            summary="Token temporal (24 horas) a partir del GUID",
            tags=["Token"],
            parameters=[
                NIT,
                OpenApiParameter(
                    "guid",
                    str,
                    OpenApiParameter.PATH,
                    description="GUID de la entidad o del código EPS.",
                ),
            ],
            responses={
                200: OpenApiResponse(
                    {"type": "string", "example": "Zm9vYmFyYmF6cXV4LWZvb2Jhcl9iYXpxdXhmb29iYXI="},
                    description="El token, como cadena JSON entre comillas.",
                ),
                **error_responses(401, 429),
            },
        )
        def get(self, request, nit, guid):
            failure = WsError(
                401, _("El NIT o el token (GUID) no son válidos."), code="invalid_credentials"
            )
            caller = authenticate(nit, guid, guid=True, failure=failure)
            return Response(services.token_issue(caller))

    View.__name__ = View.__qualname__ = f"GenerarToken{base_tag}View"
    return View
