from .auth import (
    CrispyPasswordChangeForm,
    CrispyPasswordResetForm,
    CrispySetPasswordForm,
    LoginForm,
    login_name_from_request,
)

__all__ = [
    "CrispyPasswordChangeForm",
    "CrispyPasswordResetForm",
    "CrispySetPasswordForm",
    "LoginForm",
    "login_name_from_request",
]
