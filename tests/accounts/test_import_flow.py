"""The one import flow (accounts.import_flow): the result every import returns, and the page's check → confirm."""

import io
from dataclasses import dataclass

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.urls import reverse

from accounts.forms import SpreadsheetUploadForm
from accounts.import_flow import ImportFlow, ImportResult
from accounts.models import AuditLog, User
from accounts.roles import Role
from accounts.spreadsheets import Problem
from tests.helpers import person_row, xlsx_bytes

EXPIRED = "Phiên nhập dữ liệu này đã hết hạn; hãy tải tệp lên lại."


@dataclass
class WithPeople(ImportResult):
    people_created: int = 0

    summary_fields = (*ImportResult.summary_fields, "people_created")


class TestImportResult:
    def test_the_summary_names_every_count_an_import_declares(self):
        assert ImportResult(created=2, unchanged=1).summary == "created=2 updated=0 unchanged=1"
        assert WithPeople(created=1, people_created=1).summary == "created=1 updated=0 unchanged=0 people_created=1"

    def test_problems_and_warnings_sort_by_row_then_by_the_column_order(self):
        result = ImportResult(problems=[Problem("c", 3, "B"), Problem("a", 2, "B"), Problem("f"), Problem("b", 2, "A"),
                                        Problem("r", 2)],
                              warnings=[Problem("w2", 5, "A", warning=True), Problem("w1", 4, "Z", warning=True)])
        result.sort_problems(["A", "B"])
        assert [p.message for p in result.problems] == ["f", "r", "b", "a", "c"]
        assert [p.message for p in result.warnings] == ["w1", "w2"]

    def test_a_refusal_at_write_time_zeroes_every_count(self):
        result = WithPeople(created=3, updated=1, unchanged=2, people_created=2)
        result.refuse(Problem("the exam moved on"))
        assert not result.ok and result.summary == "created=0 updated=0 unchanged=0 people_created=0"


def _upload(rows=None, name="nhan-su.xlsx") -> io.BytesIO:
    upload = io.BytesIO(xlsx_bytes(rows if rows is not None else [person_row(1), person_row(2)]))
    upload.name = name
    return upload


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def stash_root(settings, tmp_path):
    settings.PRIVATE_UPLOAD_ROOT = tmp_path
    return tmp_path / "imports"


@pytest.mark.django_db
class TestThePeopleImportPage:
    def check(self, client, **extra):
        return client.post(reverse("people_import"), {"action": "check", "file": _upload(), **extra})

    def confirm(self, client, token):
        return client.post(reverse("people_import"), {"action": "confirm", "token": token}, follow=True)

    def test_a_checked_file_waits_server_side_and_is_written_once(self, client, hr_user, stash_root):
        client.force_login(hr_user)
        token = self.check(client).context["token"]
        assert [p.name for p in stash_root.iterdir()] == [f"{token}.bin"] and User.objects.count() == 1
        self.confirm(client, token)
        assert User.objects.count() == 3 and not list(stash_root.iterdir())
        again = self.confirm(client, token)
        assert EXPIRED in _messages(again) and AuditLog.objects.filter(action="people.import").count() == 1

    def test_a_token_checked_by_someone_else_is_refused(self, client, hr_user, make_user, stash_root):
        client.force_login(hr_user)
        token = self.check(client).context["token"]
        other = make_user(Role.HR_STAFF, username="hr2", hr_scope=hr_user.hr_scope)
        client.force_login(other)  # a new session: the pending file is not theirs
        response = self.confirm(client, token)
        assert EXPIRED in _messages(response) and User.objects.count() == 2
        assert response.redirect_chain == [(reverse("people_import"), 302)]

    def test_a_newer_check_replaces_the_pending_file(self, client, hr_user, stash_root):
        client.force_login(hr_user)
        first = self.check(client).context["token"]
        second = self.check(client).context["token"]
        assert first != second and [p.name for p in stash_root.iterdir()] == [f"{second}.bin"]
        assert EXPIRED in _messages(self.confirm(client, first)) and User.objects.count() == 1
        self.confirm(client, second)
        assert User.objects.filter(cccd__startswith="0871850").count() == 2

    def test_the_confirmation_checks_the_file_again_and_writes_nothing_when_it_fails(self, client, hr_user,
                                                                                    make_user, stash_root):
        client.force_login(hr_user)
        token = self.check(client).context["token"]
        make_user(username=person_row(2)["Số CCCD"])  # the login name is taken meanwhile
        response = self.confirm(client, token)
        assert response.redirect_chain == [] and "token" not in response.context
        assert "Dòng 3, cột «Số CCCD»" in response.content.decode()
        assert not User.objects.filter(cccd__startswith="0871850").exists()


def _request(rf, user, session, data):
    request = rf.post("/import/", data)
    request.user, request.session = user, session
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_the_flow_binds_the_token_to_its_scope_and_hands_the_options_back(rf, hr_user, stash_root):
    class Form(SpreadsheetUploadForm):
        note = forms.CharField()

    calls = []

    def run(data, *, dry_run, file_name, **options):
        calls.append((dry_run, file_name, options, data[:2]))
        return ImportResult(created=1, applied=not dry_run)

    flow, session = ImportFlow(session_key="test_import", form_class=Form), SessionStore()
    written = HttpResponse("written")
    page = flow.handle(_request(rf, hr_user, session, {"action": "check", "file": _upload(), "note": "x"}),
                       run=run, on_written=lambda result: written, scope=1)
    token = page.context["token"]
    refused = flow.handle(_request(rf, hr_user, session, {"action": "confirm", "token": token}),
                          run=run, on_written=lambda result: written, scope=2)
    assert refused.response.status_code == 302 and len(calls) == 1
    done = flow.handle(_request(rf, hr_user, session, {"action": "confirm", "token": token}),
                       run=run, on_written=lambda result: written, scope=1)
    assert done.response is written and "test_import" not in session
    assert calls == [(True, "nhan-su.xlsx", {"note": "x"}, b"PK"), (False, "nhan-su.xlsx", {"note": "x"}, b"PK")]
