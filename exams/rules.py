"""Who may do what with banks, blueprints and papers (autodiscovered by django-rules)."""

import rules
from django.db.models import Q

from accounts.permissions import has_role, register
from accounts.roles import Role
from exams.banks.models import ItemReview
from exams.marking import services as marking_svc
from exams.results.models import ResultVersion
from exams.results.services import is_council_chair, may_compute
from exams.sessions.models import BLIND_BOARDS, CouncilMember

is_question_author = has_role(Role.QUESTION_AUTHOR)
is_council_member = has_role(Role.COUNCIL_MEMBER)


@rules.predicate
def is_bank_author(user, bank) -> bool:
    if bank is None or not user.is_authenticated:
        return False
    return bank.authors.filter(pk=user.pk).exists()


# Pages listing banks: question authors (their banks) and council members (all, read-only).
register("exams.use_banks", is_question_author | is_council_member)
register("exams.add_bank", is_question_author)
register("exams.view_bank", (is_question_author & is_bank_author) | is_council_member)
register("exams.change_bank", is_question_author & is_bank_author)


# --- Exam sessions ------------------------------------------------------------------------------------
is_hr_staff = has_role(Role.HR_STAFF)


@rules.predicate
def sits_on_exam(user, exam) -> bool:
    """Any position on the exam's council or boards (including the read-only supervision board), except the
    marking and re-marking boards: markers must never see who wrote a script, and the exam's pages list names."""
    if exam is None or not user.is_authenticated:
        return False
    return exam.council.filter(user=user).exclude(board__in=BLIND_BOARDS).exists()


@rules.predicate
def invigilates_room(user, room) -> bool:
    if room is None or not user.is_authenticated:
        return False
    return room.invigilators.filter(user=user).exists()


# What each board's work needs of the exam's candidates (docs/rules.md, "Council and boards"), beyond the exam's own
# page (subjects, sittings, rooms, council), which every non-blind position reads:
# - the council and the supervision board (read-only oversight) see the candidate lists and the results;
# - the invigilation board checks identities at the door: the call-in list of a room its member invigilates, with
#   the CCCD masked (name, birth date, photo and the masked number check the card; only HR sees CCCD in full,
#   docs/rules.md, "Personal data"), never the exam's whole list;
# - the question board writes and reviews questions: no candidate at all (its item analysis is in the statistics,
#   which describe candidates as a group);
# - the anonymisation board works from the scripts page (exams.anonymise_scripts); markers never see names.
CANDIDATE_LIST_BOARDS = ("council", "supervision")


@rules.predicate
def sees_exam_candidates(user, exam) -> bool:
    if exam is None or not user.is_authenticated:
        return False
    return exam.council.filter(user=user, board__in=CANDIDATE_LIST_BOARDS).exists()


register("exams.manage_exams", is_hr_staff)
register("exams.view_exam", is_hr_staff | sits_on_exam)
register("exams.view_candidates", is_hr_staff | sees_exam_candidates)
# The call-in list: HR (CCCD in full), and the invigilators of that room only (CCCD masked: exams.sessions.views.exams).
register("exams.export_call_in", is_hr_staff | invigilates_room)



@rules.predicate
def invigilates_room_session(user, room_session) -> bool:
    if room_session is None or not user.is_authenticated:
        return False
    return room_session.sitting.invigilators.filter(user=user, room_id=room_session.room_id).exists()


def _chairs(user, exam) -> bool:
    return exam.council.filter(user=user, board="council", position__in=["chair", "vice_chair"]).exists()


@rules.predicate
def chairs_room_session_exam(user, room_session) -> bool:
    if room_session is None or not user.is_authenticated:
        return False
    return _chairs(user, room_session.sitting.subject.exam)


@rules.predicate
def acts_in_every_open_room(user, sitting) -> bool:
    """What act_in_room allows, for every open room of the sitting at once: the chair, or an invigilator of each
    of them (two queries, whatever the number of rooms)."""
    if sitting is None or not user.is_authenticated:
        return False
    open_rooms = set(sitting.room_sessions.values_list("room_id", flat=True))
    if not open_rooms:
        return False
    return open_rooms <= set(sitting.invigilators.filter(user=user).values_list("room_id", flat=True)) or _chairs(
        user, sitting.subject.exam)


# An invigilator sees only their sittings and rooms; HR and the council chair may look in too.
register("exams.watch_room", invigilates_room_session | is_hr_staff | chairs_room_session_exam)
register("exams.act_in_room", invigilates_room_session | chairs_room_session_exam)
register("exams.extend_sitting", acts_in_every_open_room)


# --- Results (issue 6) ---------------------------------------------------------------------------------
# The positions that decide live in exams.results.services (may_compute, is_council_chair): the rules only
# point at them, so the page and the service never disagree about who may act.


@rules.predicate
def may_compute_results(user, exam) -> bool:
    if exam is None or not user.is_authenticated:
        return False
    return may_compute(exam=exam, user=user)


@rules.predicate
def chairs_exam_council(user, exam) -> bool:
    if exam is None or not user.is_authenticated:
        return False
    return is_council_chair(exam=exam, user=user)


@rules.predicate
def is_registered_person_with_published_result(user, registration) -> bool:
    if registration is None or not user.is_authenticated or registration.person_id != user.pk:
        return False
    return registration.exam.result_versions.filter(status=ResultVersion.Status.PUBLISHED).exists()


# Candidates never see the exam's lists: only HR, the council and the supervision board (see CANDIDATE_LIST_BOARDS).
register("exams.view_results", is_hr_staff | sees_exam_candidates)
register("exams.compute_results", may_compute_results)
register("exams.resolve_ties", chairs_exam_council)
register("exams.approve_results", chairs_exam_council)
register("exams.publish_results", is_hr_staff)
register("exams.import_scores", is_hr_staff)
# A candidate's own row of the newest published version, nobody else's, never a draft.
register("exams.view_own_result", is_registered_person_with_published_result)


# --- Statistics (issue 7) -------------------------------------------------------------------------------------
# The figures describe candidates as a group: HR and anyone on the exam's council or boards, never candidates.
register("exams.view_statistics", is_hr_staff | sits_on_exam)


@rules.predicate
def authors_question_bank(user, question) -> bool:
    return question is not None and is_bank_author(user, question.bank)


@rules.predicate
def on_question_board_of_open_review(user, question) -> bool:
    """On the question board of an exam whose item analysis flagged this question (still open)."""
    if question is None or not user.is_authenticated:
        return False
    exams = ItemReview.objects.filter(question=question, resolved_at__isnull=True).values("exam_id")
    return CouncilMember.objects.filter(user=user, board=CouncilMember.Board.QUESTIONS, exam_id__in=exams).exists()


# The bank's authors or the question board of the exam that flagged it close an item-analysis review.
register("exams.resolve_item_review", (is_question_author & authors_question_bank) | on_question_board_of_open_review)


# --- Marking and appeals (issue 7) ---------------------------------------------------------------------------
# Who holds which position lives in exams.marking.services (sees_identities, is_secretary, heads_marking,
# heads_remarking); the rules only point at it, so the pages and the services never disagree.


@rules.predicate
def sees_script_identities(user, exam) -> bool:
    return exam is not None and user.is_authenticated and marking_svc.sees_identities(exam, user)


@rules.predicate
def is_exam_secretary(user, exam) -> bool:
    return exam is not None and user.is_authenticated and marking_svc.is_secretary(exam, user)


@rules.predicate
def heads_exam_marking(user, exam) -> bool:
    return exam is not None and user.is_authenticated and marking_svc.heads_marking(exam, user)


@rules.predicate
def heads_exam_remarking(user, exam) -> bool:
    return exam is not None and user.is_authenticated and marking_svc.heads_remarking(exam, user)


@rules.predicate
def is_the_marker(user, marking) -> bool:
    return marking is not None and user.is_authenticated and marking.marker_id == user.pk


@rules.predicate
def works_on_marking(user) -> bool:
    """A position on the anonymisation, marking or re-marking board, the council secretary, or a marking."""
    if not user.is_authenticated:
        return False
    positions = Q(board__in=["anonymisation", "marking", "remarking"]) | Q(board="council", position="secretary")
    return user.exam_positions.filter(positions).exists() or user.markings.exists()


# The marker's own queue; a marking page and its scans only for the marker it is assigned to.
register("exams.use_marking", has_role(Role.MARKER) | works_on_marking)
register("exams.mark_script", is_the_marker)
# The code ↔ candidate mapping, scan uploads and anonymisation: the secretary and the anonymisation board.
register("exams.anonymise_scripts", sees_script_identities)
register("exams.deanonymise_scripts", is_exam_secretary)
register("exams.head_marking", heads_exam_marking)
register("exams.head_remarking", heads_exam_remarking)
# A candidate appeals only from their own published result (the service checks the window and the subject).
register("exams.file_appeal", is_registered_person_with_published_result)
