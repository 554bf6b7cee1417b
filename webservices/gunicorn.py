"""A gunicorn logger whose access log never shows a web-service token: every atom (the
request line, the path, headers such as a client's `Authorization: Bearer …`, environ
values) goes through the same masking as Django's logs. gunicorn.conf.py selects it."""

from gunicorn.glogging import Logger

from .paths import mask_tokens


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        masked = {}
        for key, value in atoms.items():
            if key == "{authorization}i" and value:
                masked[key] = "***"
            elif isinstance(value, str):
                masked[key] = mask_tokens(value)
            else:
                masked[key] = value
        return masked
