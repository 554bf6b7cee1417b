"""Tokens travel in URL paths: this filter masks them in Django's request and server logs
(settings.LOGGING); webservices.gunicorn does the same for gunicorn's access log."""

import logging

from .paths import mask_tokens


class MaskTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
