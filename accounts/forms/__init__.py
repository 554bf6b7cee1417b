from .auth import (
    CrispyPasswordChangeForm,
    CrispyPasswordResetForm,
    CrispySetPasswordForm,
    LoginForm,
    login_name_from_request,
)
from .registries import RethusLookupForm

__all__ = [
    "CrispyPasswordChangeForm",
    "CrispyPasswordResetForm",
    "CrispySetPasswordForm",
    "LoginForm",
    "RethusLookupForm",
    "login_name_from_request",
]
