"""Failed logins (django-axes, configured in settings): an address is locked out after
AXES_FAILURE_LIMIT failures whatever the accounts tried, and a single account under attack
from many addresses is slowed down, never locked.

A lock per (account, address) locked the owner out wherever the attacker's address was
shared (every client behind the TLS proxy had its address), and let one address try a few
passwords on each of many accounts. Locking per address stops the latter; the proxy's
address is not the client's any more (`request_client_ip`, AXES_CLIENT_IP_CALLABLE). An
account with LOGIN_ACCOUNT_SLOWDOWN_AFTER recent failures (from any address) accepts one
attempt every LOGIN_ACCOUNT_DELAY_SECONDS: guessing slows to a crawl while the owner can
still sign in after a short wait. A refused attempt is not counted (axes'
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so the attacker cannot keep the account
closed by hammering it.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def account_wait_seconds(username: str) -> int:
    """Seconds `username` must wait before its next attempt (0: it may try now)."""
    if not username:
        return 0
    since = timezone.now() - (get_cool_off() or timedelta(minutes=15))
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (recent["failures"] or 0) < settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER:
        return 0
    delay = timedelta(seconds=settings.LOGIN_ACCOUNT_DELAY_SECONDS)
    left = recent["last"] + delay - timezone.now()
    return max(0, int(left.total_seconds() + 0.999))


class LoginAttemptHandler(AxesDatabaseHandler):
    """axes' database handler (locks per address, as AXES_LOCKOUT_PARAMETERS says), which
    also refuses an attempt on an account that must still wait."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        wait = account_wait_seconds(get_client_username(request, credentials))
        if wait:
            request.login_wait_seconds = wait
            return True
        return False


def lockout_response(request, original_response=None, credentials=None):
    """The page for a refused login (AXES_LOCKOUT_CALLABLE): the address's lockout, or how
    long to wait before trying this account again."""
    context = {"wait_seconds": getattr(request, "login_wait_seconds", 0)}
    return render(request, "accounts/lockout.html", context, status=429)
