"""A closed round's lists and its draft prize decision (docs/contests.md, "Lists and the decision"): the ranking's
columns and formats, names as text never formulas, the winners with phone and CCCD (audited), the export_round
command's contract, the decision's annex, and the pages' downloads."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import docx
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditLog, User
from accounts.roles import Role
from contests import closing
from contests.exports import RANKING_COLUMNS, WINNER_COLUMNS, decision_docx, write_list
from contests.models import Participant, Round
from tests.contests.conftest import CLOSES, take

pytestmark = pytest.mark.django_db
AFTER = CLOSES + dt.timedelta(minutes=5)


@pytest.fixture
def ranked(contest_round, join, make_user):
    an = join("Trần Văn An")
    User.objects.filter(pk=an.person_id).update(phone="0912345678", cccd="087090000111",
                                                date_of_birth=dt.date(1990, 3, 4))
    formula = join("Lê Thị Bình")
    Participant.objects.filter(pk=formula.pk).update(full_name="=HYPERLINK(\"http://x\")")
    take(contest_round, an, right=4, prediction=2, minutes=2.25)
    take(contest_round, formula, right=3, prediction=5, minutes=1)
    take(contest_round, join("Phạm Văn Chí"), right=1, prediction=None, minutes=1)
    organiser = make_user(Role.CONTEST_ORGANISER, username="btc")
    with time_machine.travel(AFTER, tick=False):
        closing.round_close(contest_round=contest_round, actor=organiser)
    contest_round.refresh_from_db()
    return contest_round, organiser


def table(path) -> tuple[list, list[list]]:
    sheet = load_workbook(path).active
    rows = [[c for c in row] for row in sheet.iter_rows()]
    header_at = next(n for n, row in enumerate(rows) if row[0].value == "Hạng")
    header = [c.value for c in rows[header_at]]
    body = [row for row in rows[header_at + 1:] if row[0].value and str(row[0].value).isdigit()]
    return header, body


def test_the_ranking_lists_everyone_ranked_in_the_official_columns(ranked, tmp_path):
    contest_round, _organiser = ranked
    out = tmp_path / "xep-hang.xlsx"
    assert write_list(contest_round, "ranking", str(out)) == 3
    header, body = table(out)
    assert header == [name for name, _width in RANKING_COLUMNS] == [
        "Hạng", "Họ và tên", "Ngày sinh", "Nhóm", "Đơn vị / Xã, phường", "Số câu đúng", "Dự đoán",
        "Chênh lệch dự đoán", "Thời gian làm bài (giây)", "Thời điểm nộp", "Giải"]
    first = [c.value for c in body[0]]
    assert first == ["1", "Trần Văn An", "04/03/1990", "Cán bộ, công chức, viên chức", "Sở Nội vụ", "4", "2", "1",
                     "135,000", "10/03/2027 09:02:15.000", "Giải Nhất"]
    assert body[1][1].value == "=HYPERLINK(\"http://x\")" and body[1][1].data_type == "s"  # text, never a formula
    assert [c.value for c in body[2]][6:8] == [None, None]  # no prediction, no gap


def test_the_winners_add_phone_and_cccd_and_the_command_keeps_the_contract(ranked, tmp_path):
    contest_round, _organiser = ranked
    out = tmp_path / "dat-giai.xlsx"
    stdout = io.StringIO()
    call_command("export_round", "--round", str(contest_round.pk), "--list", "winners", "--out", str(out),
                 stdout=stdout)
    assert stdout.getvalue().strip().splitlines()[-1] == "rows=3"
    header, body = table(out)
    assert header == [name for name, _width in WINNER_COLUMNS]
    assert [c.value for c in body[0]][-2:] == ["0912345678", "087090000111"]
    assert AuditLog.objects.filter(action="contest_round.export_winners", object_id=str(contest_round.pk)).exists()


@pytest.mark.parametrize(("args", "code"), [(["--round", "999999", "--list", "ranking"], 1),
                                            (["--round", "1", "--list", "everyone"], 2)])
def test_the_command_exits_1_on_an_unknown_round_and_2_on_a_wrong_list(args, code, tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "export_round", *args, "--out", str(tmp_path / "x.xlsx")],
                            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "SQLITE_PATH": str(tmp_path / "empty.sqlite3")})
    assert result.returncode == code, result.stderr


def test_a_round_still_open_has_no_list(contest_round, tmp_path):
    with pytest.raises(Exception) as refused:
        call_command("export_round", "--round", str(contest_round.pk), "--list", "ranking", "--out",
                     str(tmp_path / "x.xlsx"))
    assert "chưa kết thúc" in str(refused.value)


def test_the_draft_decision_lists_the_winners_with_their_prizes(ranked):
    contest_round, organiser = ranked
    document = docx.Document(io.BytesIO(decision_docx(contest_round)))
    words = "\n".join([p.text for p in document.paragraphs]
                      + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "DỰ THẢO" in words and "Về việc khen thưởng các cá nhân đạt giải vòng 1" in words
    assert "1 giải nhất, 1 giải nhì, 1 giải ba" in words
    assert "Trần Văn An" in words and "Giải Nhất" in words and "Phạm Văn Chí" in words


def test_the_pages_download_after_the_close_and_the_decision_after_approval(client, ranked, tmp_path):
    contest_round, organiser = ranked
    with time_machine.travel(AFTER, tick=False):
        client.force_login(organiser)
        early = client.get(reverse("contest_round_decision", args=[contest_round.pk]))
        assert early.status_code == 302
        response = client.get(reverse("contest_round_ranking_xlsx", args=[contest_round.pk]))
        assert response.status_code == 200 and response["Content-Disposition"].endswith('xep-hang-vong-1.xlsx"')
        (tmp_path / "r.xlsx").write_bytes(b"".join(response.streaming_content))
        assert len(table(tmp_path / "r.xlsx")[1]) == 3
        closing.round_approve(contest_round=contest_round, actor=organiser)
        decision = client.get(reverse("contest_round_decision", args=[contest_round.pk]))
    assert decision.status_code == 200 and decision.content[:2] == b"PK"
    assert AuditLog.objects.filter(action="contest_round.export_ranking").count() == 1


def test_a_list_reads_its_rows_in_a_fixed_number_of_queries(ranked, join, tmp_path):
    contest_round, _organiser = ranked
    contest_round = Round.objects.select_related("contest").get(pk=contest_round.pk)
    with CaptureQueriesContext(connection) as few:
        write_list(contest_round, "ranking", str(tmp_path / "a.xlsx"))
    standing = contest_round.standings.first()
    for n in range(6):
        contest_round.standings.create(group=standing.group, participant=join(f"Người {n}"), entry=standing.entry,
                                       rank=9)
    with CaptureQueriesContext(connection) as many:
        assert write_list(contest_round, "ranking", str(tmp_path / "b.xlsx")) == 9
    assert len(many) == len(few)
    assert Round.objects.get(pk=contest_round.pk).status == Round.Status.RANKED
