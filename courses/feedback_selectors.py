"""Reads of the anonymous feedback (docs/courses.md, "Feedback"): what a learner may rate now and what they have
rated (never their stars or words back), and the summaries per class, programme code and lecturer.

Nothing here reads who rated: the ratings carry no learner and no time, and they are only ever counted or, for a
group of at least ``COURSE_FEEDBACK_MIN_GROUP`` ratings, their comments listed in the order of their text, never in
the order they were stored.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.vietnamese import collation_key, name_sort_key
from courses.halfdays import day_start, session_end
from courses.models import CourseClass, Enrolment, FeedbackGiven, FeedbackRating, Institution, Module, Programme

MAX_COMMENT = 2000
STARS = (1, 2, 3, 4, 5)


def min_group() -> int:
    return max(1, int(settings.COURSE_FEEDBACK_MIN_GROUP))


@dataclass(frozen=True)
class Target:
    """A module of the class, with one lecturer who taught a session of it there (or None when its sessions name no
    lecturer, or it has none), and the moment feedback on it opens: when its last session ends, or, with no session,
    when the class's last day is over."""

    module: Module
    lecturer: User | None
    opens_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.module.pk}-{self.lecturer.pk if self.lecturer else 0}"

    @property
    def lecturer_id(self) -> int | None:
        return self.lecturer.pk if self.lecturer else None


def class_targets(course_class: CourseClass) -> list[Target]:
    """Every module of the class's programme in programme order, once per lecturer of its sessions in the class (two
    queries)."""
    modules = list(Module.objects.filter(part__programme_id=course_class.programme_id).order_by("part__order", "order"))
    sessions = defaultdict(list)
    for session in course_class.sessions.select_related("lecturer").order_by("date", "half"):
        sessions[session.module_id].append(session)
    after_the_class = day_start(course_class.ends_on + dt.timedelta(days=1))
    targets = []
    for module in modules:
        own = sessions.get(module.pk, [])
        if not own:
            targets.append(Target(module, None, after_the_class))
            continue
        opens_at = max(session_end(s.date, s.half) for s in own)
        lecturers = {s.lecturer.pk: s.lecturer for s in own if s.lecturer is not None}
        ordered = sorted(lecturers.values(), key=lambda u: name_sort_key(u.full_name, u.date_of_birth, u.cccd))
        targets.extend(Target(module, lecturer, opens_at) for lecturer in ordered or [None])
    return targets


def learner_feedback_panel(enrolment: Enrolment, now: dt.datetime | None = None) -> dict:
    """What the learner of ``enrolment`` may rate now (``to_give``: each a dict with its target, and room for the
    stars, comment and errors of a form sent back), what they have rated (``given``: the module and lecturer only:
    what they wrote is never shown back, not even to them) and what opens later (``later``). Three queries."""
    now = now or timezone.now()
    given = set(FeedbackGiven.objects.filter(enrolment=enrolment).values_list("module", "lecturer"))
    to_give, done, later = [], [], []
    for target in class_targets(enrolment.course_class):
        if (target.module.pk, target.lecturer_id) in given:
            done.append(target)
        elif target.opens_at <= now:
            to_give.append({"target": target, "stars": None, "comment": "", "errors": []})
        else:
            later.append(target)
    return {"course_class": enrolment.course_class, "to_give": to_give, "given": done, "later": later,
            "max_comment": MAX_COMMENT, "stars": STARS}


# --- Summaries ------------------------------------------------------------------------------------------------

@dataclass
class Summary:
    """A group of ratings: how many, how many of each star, the mean to one decimal, and the comments (sorted by
    their text) once the group has at least the minimum number of ratings; ``comments`` is None below it."""

    code: str = ""
    title: str = ""
    lecturer: User | None = None
    classes: int = 0
    per_star: dict[int, int] = field(default_factory=lambda: dict.fromkeys(STARS, 0))
    comments: list[str] | None = None

    @property
    def count(self) -> int:
        return sum(self.per_star.values())

    @property
    def mean(self) -> Decimal | None:
        if not self.count:
            return None
        total = sum(star * n for star, n in self.per_star.items())
        return (Decimal(total) / Decimal(self.count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def star_counts(self) -> list[tuple[int, int]]:
        """(stars, ratings) from 5 down to 1."""
        return [(star, self.per_star[star]) for star in reversed(STARS)]

    @property
    def hidden(self) -> bool:
        return self.count < min_group()


def _comments_of(groups: dict, rows) -> None:
    """Each group's comments, sorted by their text (Vietnamese order), for the groups that reach the minimum."""
    found = defaultdict(list)
    for *key, comment in rows:
        found[tuple(key)].append(comment)
    for key, summary in groups.items():
        if not summary.hidden:
            summary.comments = sorted(found.get(key, []), key=lambda text: (collation_key(text), text))


def _ratings(institution: Institution | None):
    ratings = FeedbackRating.objects.all()
    if institution is not None:
        ratings = ratings.filter(course_class__programme__institution=institution)
    return ratings


def class_summary(course_class: CourseClass, now: dt.datetime | None = None) -> tuple[Summary, list[Summary]]:
    """The whole class's ratings, and one group per module × lecturer in programme order: every target open to
    feedback by ``now``, rated or not, and any other that holds ratings (a lecturer since taken off the schedule comes
    after them). Five queries at most."""
    now = now or timezone.now()
    ratings = FeedbackRating.objects.filter(course_class=course_class)
    groups: dict[tuple[int, int | None], Summary] = {}
    waiting: set[tuple[int, int | None]] = set()
    for target in class_targets(course_class):
        key = (target.module.pk, target.lecturer_id)
        groups[key] = Summary(target.module.code, target.module.title, target.lecturer)
        if target.opens_at > now:
            waiting.add(key)
    overall = Summary(course_class.name, course_class.programme.name)
    counts = list(ratings.values_list("module", "lecturer", "stars").annotate(n=Count("pk")).order_by())
    missing = {lecturer for module, lecturer, _s, _n in counts if (module, lecturer) not in groups and lecturer}
    lecturers = {u.pk: u for u in User.objects.filter(pk__in=missing)} if missing else {}
    modules = {key[0]: summary for key, summary in groups.items()}
    for module, lecturer, stars, n in counts:
        summary = groups.get((module, lecturer))
        if summary is None:  # after the targets: the dict keeps that order
            known = modules[module]
            summary = groups[(module, lecturer)] = Summary(known.code, known.title, lecturers.get(lecturer))
        summary.per_star[stars] += n
        overall.per_star[stars] += n
    _comments_of(groups, ratings.exclude(comment="").values_list("module", "lecturer", "comment").order_by())
    return overall, [summary for key, summary in groups.items() if summary.count or key not in waiting]


@dataclass
class ProgrammeSummary:
    overall: Summary
    modules: list[Summary]


def programme_summaries(institution: Institution | None = None) -> list[ProgrammeSummary]:
    """Per programme code, across its classes and versions: the programme's ratings and one group per module code
    (titled as in the newest version), in code order. Five queries whatever the number of ratings."""
    ratings = _ratings(institution)
    counts = list(ratings.values_list("course_class__programme__code", "module__code", "stars")
                  .annotate(n=Count("pk")).order_by())
    codes = sorted({code for code, _m, _s, _n in counts})
    names, titles = {}, {}
    for code, name in Programme.objects.filter(code__in=codes).order_by("code", "-version").values_list("code", "name"):
        names.setdefault(code, name)
    order = {}
    for code, module_code, title, part, position in (
            Module.objects.filter(part__programme__code__in=codes)
            .order_by("part__programme__code", "-part__programme__version")
            .values_list("part__programme__code", "code", "title", "part__order", "order")):
        titles.setdefault((code, module_code), title)
        order.setdefault((code, module_code), (part, position))
    classes = dict(ratings.values_list("course_class__programme__code")
                   .annotate(n=Count("course_class", distinct=True)).order_by())
    overall = {code: Summary(code, names.get(code, ""), classes=classes.get(code, 0)) for code in codes}
    groups: dict[tuple[str, str], Summary] = {}
    for code, module_code, stars, n in counts:
        summary = groups.get((code, module_code))
        if summary is None:
            summary = groups[(code, module_code)] = Summary(module_code, titles.get((code, module_code), ""))
        summary.per_star[stars] += n
        overall[code].per_star[stars] += n
    _comments_of(groups, ratings.exclude(comment="").values_list(
        "course_class__programme__code", "module__code", "comment").order_by())
    return [ProgrammeSummary(overall[code], sorted(
        [s for (c, _m), s in groups.items() if c == code],
        key=lambda s, c=code: (order.get((c, s.code), (999, 999)), s.code))) for code in codes]


def lecturer_summaries(institution: Institution | None = None) -> list[Summary]:
    """Per lecturer, across the classes and modules they taught: their ratings and comments, lecturers in
    Vietnamese name order. Four queries whatever the number of ratings."""
    ratings = _ratings(institution).filter(lecturer__isnull=False)
    counts = list(ratings.values_list("lecturer", "stars").annotate(n=Count("pk")).order_by())
    people = {u.pk: u for u in User.objects.filter(pk__in={lecturer for lecturer, _s, _n in counts})}
    classes = dict(ratings.values_list("lecturer").annotate(n=Count("course_class", distinct=True)).order_by())
    groups: dict[tuple[int], Summary] = {}
    for lecturer, stars, n in counts:
        summary = groups.get((lecturer,))
        if summary is None:
            person = people[lecturer]
            summary = groups[(lecturer,)] = Summary("", person.full_name, person,
                                                    classes=classes.get(lecturer, 0))
        summary.per_star[stars] += n
    _comments_of(groups, ratings.exclude(comment="").values_list("lecturer", "comment").order_by())
    return sorted(groups.values(), key=lambda s: name_sort_key(s.lecturer.full_name, s.lecturer.date_of_birth,
                                                                 s.lecturer.cccd))
