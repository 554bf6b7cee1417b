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
        from django.conf import settings

        ip = request.META.get("REMOTE_ADDR")
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            ip = forwarded.split(",")[-1].strip() or ip
        token = client_ip.set(ip)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


def client_address(request) -> str:
    """The client's address as the middleware resolved it (through a trusted proxy), for
    per-client rate limits; REMOTE_ADDR outside a request the middleware saw."""
    return client_ip.get() or request.META.get("REMOTE_ADDR", "")
