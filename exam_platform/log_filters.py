"""Logging filters (settings.LOGGING).

Django logs every refused request on ``django.request`` at WARNING with the exception attached
(``django.utils.log.log_response(..., exception=exc)``): a PermissionDenied became a full traceback in the log for
each 403, and a refused page is routine here (every role × URL of the permission matrix). A client error keeps its
one line (status, path); tracebacks stay for what is the server's fault (5xx).
"""

from __future__ import annotations

import logging


class ClientErrorsOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
