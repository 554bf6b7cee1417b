"""The patient's session: the patient's id and an expiry in Django's session, apart from a
staff user's login. It is short (settings.PATIENT_SESSION_MINUTES) and gives access to that
one patient only; every read of the patient's pages filters by it."""

import functools
import time

from django.conf import settings
from django.shortcuts import redirect

SESSION_KEY = "patient_access"


def start(request, patient_id: int) -> None:
    request.session.cycle_key()
    until = time.time() + settings.PATIENT_SESSION_MINUTES * 60
    request.session[SESSION_KEY] = {"id": patient_id, "until": until}


def end(request) -> None:
    request.session.pop(SESSION_KEY, None)


def patient_id(request) -> int | None:
    access = request.session.get(SESSION_KEY)
    if not access or access.get("until", 0) < time.time():
        return None
    return access["id"]


def patient_required(view):
    """The view runs with `request.patient_id`; without a live session, to the sign-in."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        current = patient_id(request)
        if current is None:
            end(request)
            return redirect("patients:start")
        request.patient_id = current
        return view(request, *args, **kwargs)

    return wrapped
