"""Anonymous feedback after a module (issue 19): once per learner, module and lecturer; not before the module has been
taught; only a lecturer of the module; the summaries per class, programme and lecturer; and anonymity: no field,
page or export ties a rating to the learner who gave it."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditLog, User
from courses.feedback import feedback_give
from courses.feedback_selectors import class_summary, learner_feedback_panel, lecturer_summaries, programme_summaries
from courses.models import Enrolment, FeedbackGiven, FeedbackRating, Institution, Module, Programme, Session
from courses.services import class_create, programme_create
from tests.courses.conftest import at

pytestmark = pytest.mark.django_db
A_ENDS = at(dt.date(2027, 3, 2), 17)  # the last session of module A: the afternoon of 2 March
AFTER_THE_CLASS = at(dt.date(2027, 4, 1), 0)


@pytest.fixture
def modules(world):
    """Module A: the world's four sessions, taught by the lecturer and (one morning) the head; module B: no session in
    the class; module C: one morning on 3 March with no lecturer named."""
    module_a = world.sessions[0].module
    for session, teacher in zip(world.sessions, [world.lecturer, world.lecturer, world.head, world.lecturer],
                                strict=True):
        session.lecturer = teacher
        session.save()
    others = list(Module.objects.filter(part__programme=world.course_class.programme).exclude(pk=module_a.pk)
                  .order_by("part__order", "order"))
    module_b, module_c = others[0], others[1]
    Session.objects.create(course_class=world.course_class, date=dt.date(2027, 3, 3), half="am", module=module_c,
                           periods=4)
    return module_a, module_b, module_c


def give(world, learner: int, module, lecturer, stars=4, comment=""):
    enrolment = world.learners[learner]
    feedback_give(enrolment=enrolment, module=module, lecturer=lecturer, stars=stars, comment=comment,
                  actor=enrolment.person)


def test_feedback_is_given_once_per_module_and_lecturer(world, modules):
    module_a, _b, _c = modules
    with time_machine.travel(A_ENDS, tick=False):
        give(world, 0, module_a, world.lecturer, stars=5)
        with pytest.raises(ValidationError, match="chỉ gửi một lần"):
            give(world, 0, module_a, world.lecturer, stars=1)
        give(world, 0, module_a, world.head, stars=3)  # the other lecturer of the module: a rating of its own
        give(world, 1, module_a, world.lecturer, stars=4)
    assert FeedbackGiven.objects.count() == 3
    assert sorted(FeedbackRating.objects.values_list("stars", flat=True)) == [3, 4, 5]


def test_not_before_the_module_has_been_taught(world, modules):
    module_a, module_b, module_c = modules
    with time_machine.travel(A_ENDS - dt.timedelta(minutes=1), tick=False):  # 16:59: the afternoon is not over
        with pytest.raises(ValidationError, match="mở từ 17:00 02/03/2027"):
            give(world, 0, module_a, world.lecturer)
    with time_machine.travel(at(dt.date(2027, 3, 3), 11, 59), tick=False):
        with pytest.raises(ValidationError):
            give(world, 0, module_c, None)
    with time_machine.travel(at(dt.date(2027, 3, 3), 12), tick=False):  # a morning ends at noon
        give(world, 0, module_a, world.lecturer)
        give(world, 0, module_c, None)
    with time_machine.travel(AFTER_THE_CLASS - dt.timedelta(minutes=1), tick=False):  # the last day, 23:59
        with pytest.raises(ValidationError):
            give(world, 0, module_b, None)  # no session in the class: once the class's last day is over
    with time_machine.travel(AFTER_THE_CLASS, tick=False):
        give(world, 0, module_b, None)
    assert FeedbackRating.objects.count() == 3


def test_only_a_lecturer_who_taught_the_module_in_the_class(world, modules, make_user):
    module_a, _b, module_c = modules
    other_programme = programme_create(preset_slug="lanh-dao-cap-phong", actor=None)
    foreign = Module.objects.filter(part__programme=other_programme).first()
    with time_machine.travel(AFTER_THE_CLASS, tick=False):
        for module, lecturer, message in (
                (module_a, world.manager, "đã dạy chuyên đề này"),  # never taught it
                (module_a, None, "đã dạy chuyên đề này"),  # its sessions name lecturers: rate one of them
                (module_c, world.lecturer, "đã dạy chuyên đề này"),  # module C's session names nobody
                (foreign, None, "không thuộc chương trình")):
            with pytest.raises(ValidationError, match=message):
                give(world, 0, module, lecturer)
        with pytest.raises(PermissionDenied):  # only the learner themselves
            feedback_give(enrolment=world.learners[0], module=module_a, lecturer=world.lecturer, stars=4,
                          comment="", actor=world.learners[1].person)
        for stars in (0, 6):
            with pytest.raises(ValidationError):
                give(world, 0, module_a, world.lecturer, stars=stars)
        with pytest.raises(ValidationError, match="tối đa 2000"):
            give(world, 0, module_a, world.lecturer, comment="x" * 2001)
        give(world, 0, module_a, world.lecturer, comment="  " + "x" * 2000 + "  \n")  # stripped first
    assert FeedbackRating.objects.get().comment == "x" * 2000
    assert FeedbackGiven.objects.count() == 1


def test_a_rating_holds_nothing_that_points_to_its_learner(world, modules):
    """The rating's fields: no learner, enrolment or time, a random key; the only person in it is the lecturer rated.
    No audit record is written, so no log puts the learner next to the moment they rated."""
    fields = {f.name: f for f in FeedbackRating._meta.get_fields()}
    assert set(fields) == {"id", "course_class", "module", "lecturer", "stars", "comment"}
    assert isinstance(fields["id"], models.UUIDField)
    related = {name: f.related_model for name, f in fields.items() if f.is_relation}
    assert Enrolment not in related.values()
    assert [name for name, model in related.items() if model is User] == ["lecturer"]
    assert not [f for f in fields.values() if isinstance(f, models.DateField | models.DateTimeField)]
    module_a = modules[0]
    audit_before = AuditLog.objects.count()
    with time_machine.travel(A_ENDS, tick=False):
        give(world, 0, module_a, world.lecturer, stars=2, comment="Cần thêm ví dụ")
    rating = FeedbackRating.objects.get()
    assert rating.lecturer == world.lecturer and rating.course_class == world.course_class
    assert AuditLog.objects.count() == audit_before
    given = {f.name for f in FeedbackGiven._meta.get_fields()}
    assert given == {"id", "enrolment", "module", "lecturer"}  # that they rated: no stars, no words, no time


def test_summaries_count_and_average_per_class_programme_and_lecturer(world, modules):
    module_a, module_b, module_c = modules
    with time_machine.travel(AFTER_THE_CLASS, tick=False):
        for learner, stars in ((0, 1), (1, 2), (2, 3)):
            give(world, learner, module_a, world.lecturer, stars=stars)
        give(world, 0, module_a, world.head, stars=5)
        give(world, 1, module_c, None, stars=4)
    # A second class of the same programme code, rated directly: the programme's and lecturer's summaries span both.
    second = class_create(programme=world.course_class.programme, name="K61", starts_on=dt.date(2027, 5, 1),
                          ends_on=dt.date(2027, 5, 31), actor=None)
    FeedbackRating.objects.create(course_class=second, module=module_a, lecturer=world.lecturer, stars=3)
    overall, groups = class_summary(world.course_class)
    assert (overall.count, overall.mean) == (5, Decimal("3.0"))
    table = {(g.code, g.lecturer): (g.count, g.mean, g.per_star) for g in groups}
    assert table[(module_a.code, world.lecturer)] == (3, Decimal("2.0"), {1: 1, 2: 1, 3: 1, 4: 0, 5: 0})
    assert table[(module_a.code, world.head)][:2] == (1, Decimal("5.0"))
    assert table[(module_c.code, None)][:2] == (1, Decimal("4.0"))
    assert [g.code for g in groups][:2] == [module_a.code, module_a.code]  # in programme order
    assert module_b.code not in [g.code for g in class_summary(world.course_class, now=A_ENDS)[1]]  # not open yet, unrated
    assert module_b.code in [g.code for g in class_summary(world.course_class, now=AFTER_THE_CLASS)[1]]
    [programme] = programme_summaries()
    assert (programme.overall.code, programme.overall.count, programme.overall.classes) == (
        world.course_class.programme.code, 6, 2)
    by_module = {m.code: m for m in programme.modules}
    # Module A: 1, 2, 3, 5 and 3 → 14 / 5 = 2.8. The lecturer: 1, 2, 3 and 3 → 9 / 4 = 2.25, half up to 2.3 (never
    # half to even).
    assert (by_module[module_a.code].count, by_module[module_a.code].mean) == (5, Decimal("2.8"))
    lecturers = {s.lecturer: s for s in lecturer_summaries()}
    assert (lecturers[world.lecturer].count, lecturers[world.lecturer].mean, lecturers[world.lecturer].classes) == (
        4, Decimal("2.3"), 2)
    assert (lecturers[world.head].count, lecturers[world.head].mean) == (1, Decimal("5.0"))


def test_comments_hidden_below_the_minimum_then_in_the_order_of_their_text(world, modules, client):
    module_a = modules[0]
    url = reverse("class_feedback", args=[world.course_class.pk])
    with time_machine.travel(AFTER_THE_CLASS, tick=False):
        give(world, 0, module_a, world.lecturer, comment="Cần thêm ví dụ")
        give(world, 1, module_a, world.lecturer, comment="Áp dụng được ngay")
        client.force_login(world.head)
        page = client.get(url).content.decode()
        assert "Cần thêm ví dụ" not in page and "Áp dụng được ngay" not in page
        assert "ẩn đến khi đủ 3 đánh giá" in page
        workbook = _cells(client.get(reverse("class_feedback_download", args=[world.course_class.pk])).content)
        assert "Cần thêm ví dụ" not in workbook and "Áp dụng được ngay" not in workbook
        give(world, 2, module_a, world.lecturer, comment="Bài giảng hay")
        page = client.get(url).content.decode()
    shown = [page.index(text) for text in ("Áp dụng được ngay", "Bài giảng hay", "Cần thêm ví dụ")]
    assert shown == sorted(shown)  # by their text, not in the order they were given


def _cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
            if cell is not None]


def _names_no_learner(text: str, world, raters) -> None:
    for enrolment in raters:
        person = enrolment.person
        assert person.full_name not in text
        assert person.cccd not in text
        assert not re.search(rf"(?<![A-Za-z0-9_]){re.escape(person.username)}(?![A-Za-z0-9_])", text)


def test_no_staff_page_or_export_names_a_learner_who_rated(world, modules, client, settings):
    """Two learners rate; with the minimum at 2 their comments show, and still nothing names, numbers or identifies
    either of them: the class's page and workbook, the institution's pages and workbook."""
    settings.COURSE_FEEDBACK_MIN_GROUP = 2
    module_a = modules[0]
    with time_machine.travel(AFTER_THE_CLASS, tick=False):
        give(world, 0, module_a, world.lecturer, stars=5, comment="=HYPERLINK(\"http://x\")")
        give(world, 1, module_a, world.lecturer, stars=3, comment="Nên có thêm tình huống")
        client.force_login(world.head)
        class_page = client.get(reverse("class_feedback", args=[world.course_class.pk])).content.decode()
        class_book = _cells(client.get(reverse("class_feedback_download", args=[world.course_class.pk])).content)
        client.force_login(world.manager)
        summary_page = client.get(reverse("feedback_summary")).content.decode()
        summary_book = _cells(client.get(reverse("feedback_summary_download")).content)
    assert "Nên có thêm tình huống" in class_page and "Nên có thêm tình huống" in summary_page
    assert "=HYPERLINK(\"http://x\")" in class_book  # a comment stays text in the workbook, never a formula
    assert "=HYPERLINK(\"http://x\")" in summary_book
    assert "4,0" in class_book and world.lecturer.full_name in class_book
    raters = world.learners[:2]
    for text in (class_page, summary_page, "\n".join(class_book), "\n".join(summary_book)):
        _names_no_learner(text, world, raters)


def test_the_learner_page_never_shows_their_own_stars(world, modules, client):
    module_a = modules[0]
    learner = world.learners[0]
    url = reverse("learn_feedback", args=[world.course_class.pk])
    key = f"{module_a.pk}-{world.lecturer.pk}"
    with time_machine.travel(A_ENDS, tick=False):
        client.force_login(learner.person)
        page = client.get(url).content.decode()
        assert f'id="feedback-{key}"' in page and f'id="feedback-{module_a.pk}-{world.head.pk}"' in page
        response = client.post(url, {"target": key, "stars": "4", "comment": "Thầy giảng rất dễ hiểu"})
        assert response.status_code == 302
        page = client.get(url).content.decode()
        again = client.post(url, {"target": key, "stars": "1"})  # a second time: refused, nothing written
    assert FeedbackRating.objects.get().stars == 4 and again.status_code == 302
    assert "Thầy giảng rất dễ hiểu" not in page
    assert f'id="feedback-{key}"' not in page  # its form is gone: listed as rated, without the stars
    assert "checked" not in page
    given = page[page.index('id="feedback-given"'):]
    assert world.lecturer.full_name in given[:given.index("</ul>")]
    assert not re.search(r"★|4 sao|4 stars", given[:given.index("</ul>")])


def test_the_learner_page_refuses_what_cannot_be_rated_and_keeps_the_comment_on_an_error(world, modules, client):
    module_a, module_b, _c = modules
    url = reverse("learn_feedback", args=[world.course_class.pk])
    with time_machine.travel(A_ENDS, tick=False):
        client.force_login(world.learners[0].person)
        later = client.post(url, {"target": f"{module_b.pk}-0", "stars": "5"})  # not taught yet
        assert later.status_code == 302
        page = client.post(url, {"target": f"{module_a.pk}-{world.lecturer.pk}", "comment": "Chưa chọn sao"})
    assert page.status_code == 200 and "Chưa chọn sao" in page.content.decode()
    assert FeedbackRating.objects.count() == 0


def test_the_panel_lists_what_to_rate_what_is_rated_and_what_opens_later(world, modules):
    module_a, module_b, module_c = modules
    with time_machine.travel(A_ENDS, tick=False):
        give(world, 0, module_a, world.head)
        panel = learner_feedback_panel(world.learners[0])
    assert [(i["target"].module, i["target"].lecturer) for i in panel["to_give"]] == [(module_a, world.lecturer)]
    assert [(t.module, t.lecturer) for t in panel["given"]] == [(module_a, world.head)]
    assert (module_b, None) in [(t.module, t.lecturer) for t in panel["later"]]
    assert (module_c, None) in [(t.module, t.lecturer) for t in panel["later"]]


def test_the_summaries_read_a_fixed_number_of_queries(world, modules, make_user):
    module_a, module_b, module_c = modules

    def count() -> list[int]:
        counts = []
        for read in (lambda: class_summary(world.course_class, now=AFTER_THE_CLASS), programme_summaries,
                     lecturer_summaries, lambda: learner_feedback_panel(world.learners[0], now=AFTER_THE_CLASS)):
            with CaptureQueriesContext(connection) as queries:
                read()
            counts.append(len(queries))
        return counts

    other = make_user(username="gv_khac", full_name="Giảng Viên Khác")  # taught module C, since off the schedule
    FeedbackRating.objects.create(course_class=world.course_class, module=module_c, lecturer=other, stars=4)
    small = count()
    for n in range(30):
        FeedbackRating.objects.create(course_class=world.course_class, module=[module_a, module_b, module_c][n % 3],
                                      lecturer=[world.lecturer, world.head, other][n % 3], stars=n % 5 + 1,
                                      comment=f"Ý kiến {n}")
    assert count() == small
    assert small[0] <= 5 and small[1] <= 5 and small[2] <= 4 and small[3] <= 3


def test_who_reaches_which_feedback_page(world, client):
    """The class's summary goes to its head and the course manager, not to a lecturer who does not head it; the
    institution's to the course manager; the learner's page to its learners only."""
    pk = world.course_class.pk
    urls = [reverse("class_feedback", args=[pk]), reverse("class_feedback_download", args=[pk]),
            reverse("learn_feedback", args=[pk]), reverse("feedback_summary"), reverse("feedback_summary_download")]
    expected = {world.head: [200, 200, 403, 403, 403], world.lecturer: [403, 403, 403, 403, 403],
                world.manager: [200, 200, 403, 200, 200], world.learners[0].person: [403, 403, 200, 403, 403]}
    for user, statuses in expected.items():
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == statuses, user


def test_the_institution_summary_can_show_one_institution(world, modules, client):
    school = Institution.objects.create(name="Trường Chính trị tỉnh")
    other = Institution.objects.create(name="Phân viện Học viện")
    Programme.objects.filter(pk=world.course_class.programme_id).update(institution=school)
    FeedbackRating.objects.create(course_class=world.course_class, module=modules[0], lecturer=world.lecturer, stars=5)
    client.force_login(world.manager)
    url = reverse("feedback_summary")
    mine = client.get(url, {"institution": school.pk}).content.decode()
    theirs = client.get(url, {"institution": other.pk}).content.decode()
    assert 'id="programme-QLNN-CV"' in mine and 'id="programme-QLNN-CV"' not in theirs
    assert client.get(url, {"institution": 999999}).status_code == 404
    book = _cells(client.get(reverse("feedback_summary_download"), {"institution": other.pk}).content)
    assert "Phân viện Học viện" in book and "QLNN-CV" not in book
