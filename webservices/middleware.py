"""Case-insensitive routing for the three MIPRES bases (ASP.NET Web API behaviour that
clients rely on, research §0.1), a 413 for a body over MAX_BODY_BYTES, and JSON bodies for
every error answered under them."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .paths import canonical_path

# A full XMany batch of 500 items is ~0.5 MB; Django's own limit would answer an HTML 400.
MAX_BODY_BYTES = 2 * 1024 * 1024


def _too_large() -> JsonResponse:
    message = _("El cuerpo de la solicitud supera %(n)s MB.") % {"n": MAX_BODY_BYTES // 2**20}
    return JsonResponse(
        {"Message": message, "Errors": [message], "Code": "body_too_large"}, status=413
    )


class WebServicePathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        canonical = canonical_path(request.path_info)
        if canonical is None:
            return self.get_response(request)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _too_large()
        if canonical != request.path_info:
            request.path_info = canonical
            request.path = f"{request.META.get('SCRIPT_NAME', '').rstrip('/')}{canonical}"
        response = self.get_response(request)
        if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            messages = {
                404: _("No existe el recurso solicitado."),
                405: _("Método no permitido."),
            }
            message = messages.get(response.status_code, _("Error procesando la solicitud."))
            response = JsonResponse(
                {
                    "Message": message,
                    "Errors": [message],
                    "Code": "not_found" if response.status_code == 404 else "error",
                },
                status=response.status_code,
            )
        return response
