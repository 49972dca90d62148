"""What each role's card on the dashboard lists: the person's own work (their banks, exams, sittings, scripts), never
a promise that something "will appear here" when there is something to show. A card with nothing listed shows its
role's note instead (accounts.dashboard.ROLE_NOTES)."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SHOWN = 5  # at most this many of a kind; the list page has the rest


def bank_items(user):
    from exams.banks.models import Bank, Question

    banks = (Bank.objects.filter(authors=user).annotate(waiting=Count("questions", filter=Q(
        questions__status=Question.Status.DRAFT, questions__is_current=True) & ~Q(questions__author=user)))
        .order_by("name")[:SHOWN])
    items = [(_("%(bank)s — %(n)s drafts by others to review") % {"bank": bank.name, "n": bank.waiting}
              if bank.waiting else bank.name, reverse("bank_detail", args=[bank.pk])) for bank in banks]
    return [*items, (_("All question banks"), reverse("bank_list"))] if items else []


def exam_items(user):
    from accounts.permissions import roles_of
    from accounts.roles import Role
    from exams.sessions.models import CouncilMember, Exam

    if Role.HR_STAFF in roles_of(user):
        exams = Exam.objects.exclude(status=Exam.Status.PUBLISHED).order_by("-pk")[:SHOWN]
        items = [(f"{exam.name} — {exam.get_status_display()}", reverse("exam_detail", args=[exam.pk]))
                 for exam in exams]
        return [*items, (_("Exam sessions"), reverse("exam_list"))]
    seats = (CouncilMember.objects.filter(user=user).exclude(exam__status=Exam.Status.PUBLISHED)
             .select_related("exam").order_by("-exam_id")[:SHOWN])
    items = [(f"{seat.exam.name} — {seat.get_position_display()}, {seat.get_board_display()} — "
              f"{seat.exam.get_status_display()}", reverse("exam_detail", args=[seat.exam_id])) for seat in seats]
    return [*items, (_("Question banks"), reverse("bank_list"))] if items else []


def candidate_items(user):
    from exams.sessions.models import Registration

    registrations = list(Registration.objects.filter(person=user).select_related("exam").order_by("-exam_id")[:SHOWN])
    items = [(f"{r.exam.name} — {_('candidate number')} {r.candidate_number}", reverse("my_exams"))
             for r in registrations]
    return items


def invigilator_items(user):
    from exams.sessions.models import InvigilatorAssignment

    recent = timezone.now() - timedelta(days=1)
    assignments = (InvigilatorAssignment.objects.filter(user=user, sitting__ends_at__gte=recent)
                   .select_related("sitting__subject", "room").order_by("sitting__starts_at")[:SHOWN])
    items = [(f"{a.sitting.subject.code} · {timezone.localtime(a.sitting.starts_at):%H:%M %d/%m/%Y} · {a.room.name}",
              reverse("room_console", args=[a.sitting_id, a.room_id])) for a in assignments]
    return [*items, (_("My sittings and rooms"), reverse("my_sittings"))] if items else []


def marker_items(user):
    from exams.marking.models import Marking

    waiting = Marking.objects.filter(marker=user, mark__isnull=True).count()
    return [(_("%(n)s scripts to mark") % {"n": waiting}, reverse("marking_queue"))] if waiting else []
