"""What every response and session get beyond Django's own security settings.

- `Permissions-Policy`: no page uses the camera, the microphone, geolocation, payment or
  USB; a script injected into one cannot either.
- `Cache-Control: no-store` (Django's never-cache headers) on every response a view
  produced that did not choose its own caching: once signed in nearly every page, PDF,
  CSV, XLSX or web-service answer carries patient or personal data, and the public pages
  gain nothing from a cache. Static files (whitenoise, before this middleware) keep theirs.
- Sessions end after SESSION_COOKIE_AGE seconds without a request (SESSION_IDLE_MINUTES):
  the expiry slides forward on activity. It is written at most once a minute
  (IDLE_REFRESH_SECONDS) rather than on every request (SESSION_SAVE_EVERY_REQUEST), so a
  busy worklist does not write its session on each page.
"""

import logging
import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers

IDLE_REFRESH_SECONDS = 60
_SEEN_KEY = "_seen"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response.headers:
            response.headers["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        if "Cache-Control" not in response.headers:
            add_never_cache_headers(response)
        return response


def mark_session_seen(sender, request, user, **kwargs) -> None:
    """user_logged_in: a new session starts as just seen, so the requests of its first
    minute write nothing (connected in entities' AppConfig.ready)."""
    if getattr(request, "session", None) is not None:
        request.session[_SEEN_KEY] = int(time.time())


class IdleSessionMiddleware:
    """After SessionMiddleware: a session in use is saved again (a new expiry, counted
    from now) once IDLE_REFRESH_SECONDS have passed since it was last saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - session.get(_SEEN_KEY, 0) >= IDLE_REFRESH_SECONDS:
                session[_SEEN_KEY] = now
        return self.get_response(request)


class ClientErrorWithoutTraceback(logging.Filter):
    """django.request logs a refused permission (403) or a missing page (404) with the
    exception's traceback: for an ordinary refusal, keep the one-line warning only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
