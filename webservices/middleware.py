"""Case-insensitive routing for the three MIPRES bases (ASP.NET Web API behaviour that
clients rely on, research §0.1) and JSON bodies for every error answered under them."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .paths import canonical_path


class WebServicePathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        canonical = canonical_path(request.path_info)
        if canonical is None:
            return self.get_response(request)
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
