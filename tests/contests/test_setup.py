"""The organisers' pages (docs/contests.md, "Setting a contest up"): a contest, its groups, a round and its questions
per group, created and corrected through the pages, with the guards once participants have entries; and after the
close the ranking, voiding, approving and publishing through the round's page."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from contests.models import Contest, ContestGroup, Entry, Round, RoundGroup, Standing
from tests.contests.conftest import CLOSES, DAY, NINE, OPENS, take
from tests.courses.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(make_user):
    return make_user(Role.CONTEST_ORGANISER, username="btc", full_name="Ban Tổ Chức")


class TestSetUp:
    def test_the_organiser_creates_a_contest_its_groups_and_a_round_through_the_pages(self, client, organiser,
                                                                                       make_user):
        client.force_login(organiser)
        response = client.post(reverse("contest_list"), {
            "name": "Hội thi tìm hiểu CCHC năm 2027", "organiser": "Sở Nội vụ", "min_age": "16",
            "rules_html": "<p>Mỗi tuần một vòng.</p><script>alert(1)</script><a href='javascript:x()'>x</a>"})
        contest = Contest.objects.get()
        assert response.status_code == 302 and contest.rules_html.startswith("<p>Mỗi tuần một vòng.</p>")
        assert "script" not in contest.rules_html and "javascript" not in contest.rules_html
        url = reverse("contest_group_add", args=[contest.pk])
        client.post(url, {"group-name": "Cán bộ, công chức, viên chức", "group-civil_servants": "on",
                          "group-order": "1"})
        again = client.post(url, {"group-name": "cán bộ, công chức, viên chức", "group-order": "2"})
        assert again.status_code == 400 and "đã có đối tượng" in again.content.decode()
        assert ContestGroup.objects.filter(contest=contest).count() == 1
        refused = client.post(reverse("contest_round_add", args=[contest.pk]), {
            "round-opens_at": "10/03/2027 08:00", "round-closes_at": "10/03/2027 07:00", "round-attempts": "1",
            "round-counts": "best", "round-prediction_rule": "valid_entries"})
        assert refused.status_code == 400 and not Round.objects.exists()
        made = client.post(reverse("contest_round_add", args=[contest.pk]), {
            "round-opens_at": "10/03/2027 08:00", "round-closes_at": "10/03/2027 17:00", "round-attempts": "1",
            "round-counts": "best", "round-prediction_rule": "participants"})
        contest_round = Round.objects.get()
        assert made.status_code == 302 and contest_round.number == 1 and contest_round.opens_at == OPENS
        page = client.get(reverse("contest_round", args=[contest_round.pk])).content.decode()
        assert 'id="no-settings"' in page
        assert AuditLog.objects.filter(action="contest_round.create").exists()

    def test_the_groups_questions_are_set_and_after_an_entry_only_the_prizes_change(self, client, organiser,
                                                                                   contest_round, join):
        client.force_login(organiser)
        setting = RoundGroup.objects.get(round=contest_round)
        page = client.get(reverse("contest_round", args=[contest_round.pk])).content.decode()
        assert "Ma trận CCHC" in page  # the blueprints the engine lets a host use
        edit = reverse("contest_round_group_edit", args=[contest_round.pk, setting.pk])
        values = {f"s{setting.pk}-group": setting.group_id, f"s{setting.pk}-blueprint_id": setting.blueprint_id,
                  f"s{setting.pk}-minutes": "15", f"s{setting.pk}-first_prizes": "1",
                  f"s{setting.pk}-second_prizes": "1", f"s{setting.pk}-third_prizes": "1",
                  f"s{setting.pk}-consolation_prizes": "5"}
        client.post(edit, values)
        assert RoundGroup.objects.get(pk=setting.pk).minutes == 15
        take(contest_round, join("Trần Văn An"), right=4, prediction=1, minutes=2)
        refused = client.post(edit, {**values, f"s{setting.pk}-minutes": "20"}, follow=True)
        assert "chỉ thay đổi được giải thưởng" in refused.content.decode()
        assert RoundGroup.objects.get(pk=setting.pk).minutes == 15
        client.post(edit, {**values, f"s{setting.pk}-consolation_prizes": "8"})
        assert RoundGroup.objects.get(pk=setting.pk).consolation_prizes == 8
        removed = client.post(reverse("contest_round_group_remove", args=[contest_round.pk, setting.pk]), follow=True)
        assert RoundGroup.objects.filter(pk=setting.pk).exists() and "vẫn được giữ" in removed.content.decode()
        client.post(reverse("contest_round_remove", args=[contest_round.pk]))
        assert Round.objects.filter(pk=contest_round.pk).exists()
        group = setting.group
        client.post(reverse("contest_group_remove", args=[contest_round.contest_id, group.pk]))
        assert ContestGroup.objects.filter(pk=group.pk).exists()

    def test_once_entries_exist_the_round_only_closes_later(self, client, organiser, contest_round, join):
        take(contest_round, join("Trần Văn An"), right=4, prediction=1, minutes=2)
        url = reverse("contest_round", args=[contest_round.pk])
        values = {"opens_at": "10/03/2027 08:00", "closes_at": "10/03/2027 16:00", "attempts": "1", "counts": "best",
                  "prediction_rule": "valid_entries"}
        with time_machine.travel(NINE, tick=False):
            client.force_login(organiser)
            earlier = client.post(url, values)
            assert earlier.status_code == 400 and "chỉ được lùi" in earlier.content.decode()
            later = client.post(url, {**values, "closes_at": "10/03/2027 20:00"})
        assert later.status_code == 302
        contest_round.refresh_from_db()
        assert contest_round.closes_at == at(DAY, 20)


class TestResults:
    def test_close_rank_void_approve_and_publish_through_the_rounds_page(self, client, organiser, contest_round,
                                                                         join):
        take(contest_round, join("Trần Văn An"), right=4, prediction=2, minutes=1.5)
        chi = take(contest_round, join("Phạm Văn Chí"), right=4, prediction=3, minutes=1)
        take(contest_round, join("Lê Thị Bình"), right=3, prediction=3, minutes=1)
        url = reverse("contest_round", args=[contest_round.pk])
        with time_machine.travel(at(DAY, 16), tick=False):
            client.force_login(organiser)
            early = client.post(reverse("contest_round_close", args=[contest_round.pk]), follow=True)
        assert "chỉ kết thúc được sau" in early.content.decode()
        with time_machine.travel(CLOSES + dt.timedelta(minutes=5), tick=False):
            client.force_login(organiser)
            client.post(reverse("contest_round_close", args=[contest_round.pk]))
            page = client.get(url).content.decode()
        assert page.index("Phạm Văn Chí") < page.index("Trần Văn An") < page.index("Lê Thị Bình")
        assert "60,000" in page and "10/03/2027 09:01:00.000" in page  # seconds with decimals; local time to the ms
        client.post(reverse("contest_entry_void", args=[contest_round.pk, chi.pk]), {"void-reason": ""})
        assert Entry.objects.get(pk=chi.pk).voided_at is None
        client.post(reverse("contest_entry_void", args=[contest_round.pk, chi.pk]),
                    {"void-reason": "Khai man thông tin đăng ký"})
        assert Standing.objects.get(round=contest_round, rank=1).participant.full_name == "Trần Văn An"
        client.post(reverse("contest_round_approve", args=[contest_round.pk]))
        client.post(reverse("contest_round_publish", args=[contest_round.pk]))
        contest_round.refresh_from_db()
        assert contest_round.status == Round.Status.PUBLISHED
        page = client.get(url).content.decode()
        assert 'id="round-published"' in page and "contest_entry_void" not in page and 'class="void"' not in page

    def test_the_rounds_page_reads_its_ranking_in_a_fixed_number_of_queries(self, client, organiser, contest_round,
                                                                            join):
        for n in range(3):
            take(contest_round, join(f"Người dự thi {n}"), right=n + 1, prediction=n, minutes=1)
        with time_machine.travel(CLOSES + dt.timedelta(minutes=5), tick=False):
            client.force_login(organiser)
            client.post(reverse("contest_round_close", args=[contest_round.pk]))
            url = reverse("contest_round", args=[contest_round.pk])
            client.get(url)  # the close's message is read once
            with CaptureQueriesContext(connection) as few:
                client.get(url)
            for n in range(3, 9):
                Standing.objects.create(round=contest_round, group=Standing.objects.first().group,
                                        participant=join(f"Người thêm {n}"), entry=Entry.objects.first(), rank=9)
            client.get(url)  # joining gave roles: the remembered grants are read again, once
            with CaptureQueriesContext(connection) as many:
                client.get(url)
        assert len(many) == len(few)

    def test_nobody_but_the_organisers_reaches_the_contest(self, client, make_user, contest_round):
        client.force_login(make_user(Role.HR_STAFF, username="nhansu"))
        assert client.get(reverse("contest_round", args=[contest_round.pk])).status_code == 403
        assert client.post(reverse("contest_round_close", args=[contest_round.pk])).status_code == 403
