"""Joining and taking a round through the pages (docs/contests.md, "Joining", "Entries"), and the public page: the
conditions of joining, the paper on the phone that started it with the prediction asked at the submit, another
browser refused, the result without a ranking until publication, the public page without sign-in."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from contests import closing
from contests.models import ContestGroup, Entry, Participant
from contests.participation import Joining, participant_join
from tests.contests.conftest import CLOSES, DAY, DEVICE, NINE, answer, take
from tests.courses.conftest import at
from tests.helpers import give_device_pass

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


class TestJoining:
    @pytest.fixture
    def citizens(self, contest_round):
        return ContestGroup.objects.create(contest=contest_round.contest, name="Nhân dân", order=2)

    def joining(self, group, **changes):
        return Joining(**{"group": group, "unit": None, "commune": "Phường 1, TP Cao Lãnh", "consent": True,
                          **changes})

    def test_consent_a_commune_or_a_unit_and_a_guardian_under_the_minimum_age(self, contest_round, citizens,
                                                                               make_user, province):
        contest = contest_round.contest
        person = make_user(Role.PARTICIPANT, full_name="Lê Văn Dân", date_of_birth=dt.date(2012, 5, 1))
        cases = [(self.joining(citizens, consent=False), "consent"), (self.joining(citizens, commune=" "), "commune"),
                 (self.joining(contest.groups.get(civil_servants=True)), "unit"),
                 (self.joining(citizens), "guardian")]
        with time_machine.travel(NINE, tick=False):
            for joining, code in cases:
                with pytest.raises(Exception) as refused:
                    participant_join(contest=contest, person=person, joining=joining)
                assert refused.value.code == code
            assert not Participant.objects.exists()
            joined = participant_join(contest=contest, person=person,
                                      joining=self.joining(citizens, commune="  Phường 1,  TP Cao Lãnh ",
                                                           guardian="Lê Văn Cha"))
            servant = participant_join(contest=contest, person=make_user(Role.CANDIDATE, full_name="Trần Công Chức"),
                                       joining=self.joining(contest.groups.get(civil_servants=True), unit=province))
        assert joined.unit_name == "Phường 1, TP Cao Lãnh" and joined.guardian == "Lê Văn Cha"
        assert servant.unit == province and servant.unit_name == str(province)
        with pytest.raises(Exception) as again:
            participant_join(contest=contest, person=person, joining=self.joining(citizens, guardian="x"))
        assert again.value.code == "joined"

    def test_the_register_person_joins_with_their_own_account_and_organisers_do_not(self, client, contest_round,
                                                                                    make_user, province):
        person = make_user(Role.CANDIDATE, username="087190000777", full_name="Nguyễn Thị Công Chức")
        group = contest_round.contest.groups.get()
        with time_machine.travel(NINE, tick=False):
            client.force_login(person)
            response = client.post(reverse("contest_join", args=[contest_round.contest_id]), {
                "group": group.pk, "unit": province.pk, "consent": "on"})
        assert response.status_code == 302
        assert Participant.objects.get().person == person  # no new account
        organiser = make_user(Role.CONTEST_ORGANISER, username="btc")
        with time_machine.travel(NINE, tick=False):
            client.force_login(organiser)
            refused = client.post(reverse("contest_join", args=[contest_round.contest_id]), {
                "group": group.pk, "unit": province.pk, "consent": "on"})
        assert refused.status_code == 400 and "không được tham gia" in refused.content.decode()


class TestTakingARound:
    def test_start_the_paper_with_the_prediction_at_the_submit_then_the_result_without_a_ranking(
            self, client, contest_round, join):
        an = join("Trần Văn An")
        round_url = reverse("contest_participant_round", args=[contest_round.pk])
        with time_machine.travel(NINE, tick=False):
            client.force_login(an.person)
            give_device_pass(client, DEVICE)  # this phone's pass (the first start would give one)
            assert 'id="entry-start"' in client.get(round_url).content.decode()
            started = client.post(round_url)
            entry = Entry.objects.get()
            assert started["Location"] == reverse("contest_entry", args=[entry.pk])
            paper = client.get(started["Location"]).content.decode()
            assert reverse("contest_entry_submit", args=[entry.pk]) in paper and 'name="p-prediction"' in paper
            answer(entry, right=3)
            elsewhere = Client()
            elsewhere.force_login(an.person)
            assert elsewhere.get(started["Location"]).status_code == 409  # another browser: not this paper
            refused = elsewhere.post(reverse("contest_entry_submit", args=[entry.pk]), {"p-prediction": "5"})
            assert refused.status_code == 302 and Entry.objects.get().status == Entry.Status.OPEN
        with time_machine.travel(NINE + dt.timedelta(minutes=3, milliseconds=250), tick=False):
            done = client.post(reverse("contest_entry_submit", args=[entry.pk]), {"p-prediction": "42"}, follow=True)
        page = done.content.decode()
        assert 'id="entry-score">3/4<' in page and 'id="entry-time">180,250<' in page
        assert 'id="no-ranking-yet"' in page
        entry.refresh_from_db()
        assert (entry.prediction, entry.status) == (42, Entry.Status.SUBMITTED)
        with time_machine.travel(NINE + dt.timedelta(minutes=4), tick=False):
            again = client.get(round_url).content.decode()
        assert 'id="no-entries-left"' in again and 'id="entry-start"' not in again

    def test_someone_who_has_not_joined_is_sent_to_join_and_nobody_reads_anothers_entry(self, client, contest_round,
                                                                                      join, make_user):
        entry = take(contest_round, join("Trần Văn An"), right=4, prediction=1, minutes=2)
        with time_machine.travel(NINE, tick=False):
            client.force_login(make_user(Role.PARTICIPANT, username="khac"))
            sent = client.get(reverse("contest_participant_round", args=[contest_round.pk]))
            assert sent["Location"] == reverse("contest_join", args=[contest_round.contest_id])
            assert client.get(reverse("contest_entry_result", args=[entry.pk])).status_code == 404


class TestPublicPage:
    def test_anyone_reads_the_count_and_after_publication_the_winners_names_and_units_only(self, client,
                                                                                           contest_round, join,
                                                                                           make_user):
        take(contest_round, join("Trần Văn An"), right=4, prediction=1, minutes=2)
        url = reverse("contest_public", args=[contest_round.contest_id])
        with time_machine.travel(at(DAY, 10), tick=False):
            page = client.get(url).content.decode()
        assert "1 bài dự thi" in page and 'id="winners"' not in page and "Trần Văn An" not in page
        organiser = make_user(Role.CONTEST_ORGANISER, username="btc")
        with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
            client.get(url)  # read just before the publication
            closing.round_close(contest_round=contest_round, actor=organiser)
            closing.round_approve(contest_round=contest_round, actor=organiser)
            closing.round_publish(contest_round=contest_round, actor=organiser)
            cached = client.get(url).content.decode()
        assert 'id="winners"' not in cached  # the cached page, a few seconds old
        cache.clear()  # a few seconds later the page is built again (the cache's own clock: Redis in scale-out)
        with time_machine.travel(CLOSES + dt.timedelta(minutes=1, seconds=6), tick=False):
            fresh = client.get(url).content.decode()
        winners = fresh.split('id="winners"')[1].split("</section>")[0]
        assert "Trần Văn An" in winners and "Giải Nhất" in winners and "Sở Nội vụ" in winners
        assert "CCCD" not in fresh and "Số điện thoại" not in fresh


def test_the_dashboard_offers_the_latest_contest_then_the_ones_joined_and_nothing_to_organisers(client, contest_round,
                                                                                              join, make_user):
    from contests.dashboard import participant_items

    person = make_user(Role.CANDIDATE, full_name="Nguyễn Văn Mới")
    assert participant_items(person) == [(f"Tham gia {contest_round.contest.name}",
                                          reverse("contest_public", args=[contest_round.contest_id]))]
    joined = join("Trần Văn An")
    assert participant_items(joined.person) == [(contest_round.contest.name,
                                                 reverse("contest_public", args=[contest_round.contest_id]))]
    assert participant_items(make_user(Role.CONTEST_ORGANISER, username="btc")) == []


def test_while_one_request_rebuilds_the_public_page_the_others_serve_the_previous_figures(client, contest_round):
    url = reverse("contest_public", args=[contest_round.contest_id])
    key = f"contest-landing:{contest_round.contest_id}:vi"
    with time_machine.travel(NINE, tick=False):
        assert "<strong>0</strong>" in client.get(url).content.decode()
    old = cache.get(key)[1]
    cache.set(key, (0.0, old | {"body": old["body"].replace("<strong>0</strong>", "<strong>4242</strong>")}),
              timeout=60)  # long past its age
    cache.add(f"{key}:building", 1, timeout=30)  # another request is rebuilding it
    assert "<strong>4242</strong>" in client.get(url).content.decode()
    cache.delete(f"{key}:building")
    assert "<strong>0</strong>" in client.get(url).content.decode()


def test_the_public_page_is_rendered_once_for_its_readers(client, contest_round, join, django_assert_max_num_queries):
    """Past its first reader, an anonymous reading costs no query and no rendering of the body; a participant's adds
    only their own part (one query)."""
    url = reverse("contest_public", args=[contest_round.contest_id])
    with time_machine.travel(NINE, tick=False):
        client.get(url)
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200
        client.force_login(join("Trần Văn An").person)
        with django_assert_max_num_queries(5):  # the user, joined, the menu's permissions and roles (3)
            page = client.get(url).content.decode()
    assert "Làm bài vòng này" in page.split('id="my-rounds"')[1].split("</section>")[0]


def test_a_rounds_pages_are_limited_per_account_by_the_minute(client, contest_round, join, settings):
    """Beyond CONTEST_REQUESTS_PER_MINUTE, a 429 page for that account only, until the next minute of the server's
    clock."""
    settings.CONTEST_REQUESTS_PER_MINUTE = 3
    url = reverse("contest_participant_round", args=[contest_round.pk])
    other = Client()
    with time_machine.travel(NINE, tick=False):
        client.force_login(join("Trần Văn An").person)
        other.force_login(join("Lê Thị Bình").person)
        statuses = [client.get(url).status_code for _ in range(4)]
        refused = client.get(url)
        assert other.get(url).status_code == 200
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and "Quá nhiều lần thử" in refused.content.decode()
    with time_machine.travel(NINE + dt.timedelta(minutes=1), tick=False):
        assert client.get(url).status_code == 200
