"""The one exception services raise to refuse a request."""


class DomainError(Exception):
    """A business refusal with a Spanish message for the user.

    `field` names the form field the message belongs beside, when there is one; `code` is
    a stable machine-readable reason (the web services return it beside the message).
    """

    def __init__(self, message, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
