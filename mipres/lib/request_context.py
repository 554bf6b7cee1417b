"""Request facts that services record in the audit trail without taking the request."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


class RequestContextMiddleware:
    """Remembers the client's IP for the duration of the request.

    REMOTE_ADDR is the address of whoever connected to us; behind a TLS proxy that is the
    proxy, and the proxy's X-Forwarded-For is used only when BEHIND_TLS_PROXY says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request_client_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


def request_client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our TLS proxy (BEHIND_TLS_PROXY) the
    last address of X-Forwarded-For, the one our proxy appended (earlier ones are whatever
    the client sent). Also django-axes' AXES_CLIENT_IP_CALLABLE."""
    from django.conf import settings

    ip = request.META.get("REMOTE_ADDR")
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[-1].strip() or ip
    return ip


def client_address(request) -> str:
    """The client's address as the middleware resolved it (through a trusted proxy), for
    per-client rate limits; REMOTE_ADDR outside a request the middleware saw."""
    return client_ip.get() or request.META.get("REMOTE_ADDR", "")
