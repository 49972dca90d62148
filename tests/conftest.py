import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.backends.sqlite3.base import DatabaseOperations  # via base: avoids a circular import

from accounts import db as accounts_db
from accounts.models import OrgUnit, User
from accounts.roles import Role
from accounts.services import unit_create
from exams.candidate import room_scope
from exams.common import db as exams_db
from exams.examday.services.saves import save_allowance

# Transactional tests empty every table between tests. On SQLite that is a DELETE, which the audit
# log's append-only trigger and the sealed-paper triggers refuse (as they should in production), so
# the test flush lifts those triggers for the duration of the flush and puts them back. PostgreSQL
# flushes with TRUNCATE, which row triggers do not see.
_original_sql_flush = DatabaseOperations.sql_flush


def _sql_flush_keeping_audit_guard(self, style, tables, **kwargs):
    statements = _original_sql_flush(self, style, tables, **kwargs)
    if not tables:
        return statements
    guards_off = [*accounts_db.SQLITE_DROP, *exams_db.SQLITE_DROP]
    guards_on = [*accounts_db.SQLITE_CREATE, *exams_db.SQLITE_CREATE]
    return [*guards_off, *statements, *guards_on]


DatabaseOperations.sql_flush = _sql_flush_keeping_audit_guard


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    room_scope.forget_attempts()  # the in-process cache too: attempt ids repeat from one test database to the next
    save_allowance.forget()
    yield
    cache.clear()


# Test worlds are fixtures built through the services (make_user, exam_day …), not factory_boy: factories write models
# directly and would build states the services forbid.


@pytest.fixture
def province(db) -> OrgUnit:
    return unit_create(name="UBND tỉnh Demo", parent=None, kind=OrgUnit.Kind.PROVINCE, code="P")


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(role: str | None = None, *, username: str | None = None, password: str = "pw-Secret-123", **fields):
        counter["n"] += 1
        n = counter["n"]
        user = User(
            username=username or f"user{n}",
            full_name=fields.pop("full_name", f"Nguyễn Văn Người {n}"),
            date_of_birth=fields.pop("date_of_birth", dt.date(1985, 1, 1)),
            gender=fields.pop("gender", "Nam"),
            **fields,
        )
        user.set_password(password)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=str(role)))
        return user

    return make


@pytest.fixture
def hr_user(make_user, province):
    return make_user(Role.HR_STAFF, username="hr", full_name="Phạm Thị Nhân Sự", hr_scope=province)
