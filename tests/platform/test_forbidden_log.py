"""A refused request is one line in the log, not a traceback (exam_platform/log_filters.py); faults keep theirs."""

from __future__ import annotations

import logging
import sys

import pytest
from django.urls import reverse

from accounts.roles import Role
from exam_platform.log_filters import ClientErrorsOneLine


@pytest.mark.django_db
def test_a_403_is_one_warning_line_without_a_traceback(client, make_user, caplog):
    client.force_login(make_user(Role.CANDIDATE))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("people_list")).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING and record.getMessage() == "Forbidden (Permission denied): /people/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",),
                               exc_info)
    record.status_code = 500
    assert ClientErrorsOneLine().filter(record) and record.exc_info == exc_info
