"""Every URL pattern × every role against an explicit table. A new URL without a row fails the test."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from accounts.roles import Role
from accounts.services import unit_create
from tests.helpers import give_device_pass

ANON = "anonymous"
ROLES = [ANON, *[r.value for r in Role]]
STAFF = [r.value for r in Role if r.value not in (ANON,)]

OK = 200
LOGIN = "login"      # 302 to the login page
AWAY = "redirect"    # 302 somewhere else (e.g. already signed in, or re-authentication first)
DENIED = 403
HIDDEN = 404


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {ANON: anonymous, **dict.fromkeys(STAFF, outcome)}


def only(allowed: dict[str, object], others=DENIED, anonymous=LOGIN):
    table = {ANON: anonymous, **dict.fromkeys(STAFF, others)}
    table.update(allowed)
    return table


HR = Role.HR_STAFF.value
COUNCIL = Role.COUNCIL_MEMBER.value
AUTHOR = Role.QUESTION_AUTHOR.value
INVIGILATOR = Role.INVIGILATOR.value
CANDIDATE = Role.CANDIDATE.value
MARKER = Role.MARKER.value
CM = Role.COURSE_MANAGER.value
LECTURER = Role.LECTURER.value
ORGANISER = Role.CONTEST_ORGANISER.value
PARTICIPANT = Role.PARTICIPANT.value
CONFLICT = 409
BAD_REQUEST = 400
MATRIX_DEVICE = "matrix-pc"  # the machine that holds the candidate's paper
GONE = 410
# The exam-room session column (EXAM_ROOM_REACHES below): an HR officer with an HR scope, a staff member, who sits the
# exam of this world and signed in with candidate number + exam password. Whatever its roles, it reaches its own
# exam's candidate pages only; any other page sends it to its exam page (a GET) or refuses it (403).
EXAM_ROOM_SESSION = "exam-room session"
OUTSIDE = "outside"  # 302 to the candidate's exam page ("my exams")

# (url name, variant) -> (method, kwargs key, {role: expected})
MATRIX: dict[tuple[str, str], tuple[str, str | None, dict]] = {
    ("home", ""): ("get", None, {ANON: "redirect-login", **dict.fromkeys(STAFF, AWAY)}),
    ("healthz", ""): ("get", None, everyone(OK)),
    ("livez", ""): ("get", None, everyone(OK)),
    ("set_language", ""): ("post", None, everyone(AWAY)),
    ("account_login", ""): ("get", None, {ANON: OK, **dict.fromkeys(STAFF, AWAY)}),
    ("account_logout", ""): ("get", None, signed_in(OK)),
    ("account_inactive", ""): ("get", None, everyone(OK)),
    ("account_signup", ""): ("get", None, {ANON: OK, **dict.fromkeys(STAFF, AWAY)}),  # "sign-up closed" page
    ("account_reauthenticate", ""): ("get", None, signed_in(OK)),
    ("account_request_reauthentication_code", ""): ("get", None, signed_in(AWAY)),  # codes are off
    ("account_confirm_reauthentication_code", ""): ("get", None, signed_in(AWAY)),
    ("account_email", ""): ("get", None, signed_in(OK)),
    ("account_email_verification_sent", ""): ("get", None, everyone(OK)),
    ("account_change_password", ""): ("get", None, signed_in(OK)),
    ("account_set_password", ""): ("get", None, signed_in(AWAY)),
    ("account_reset_password", ""): ("get", None, everyone(OK)),
    ("account_confirm_login_code", ""): ("get", None, signed_in(AWAY)),
    ("account_confirm_email", ""): ("get", "key", everyone(OK)),
    ("account_reset_password_from_key_done", ""): ("get", None, everyone(OK)),
    ("account_reset_password_from_key", ""): ("get", "reset", everyone(OK)),  # "bad token" page
    ("account_reset_password_done", ""): ("get", None, everyone(OK)),
    ("mfa_index", ""): ("get", None, signed_in(OK)),
    ("mfa_authenticate", ""): ("get", None, signed_in(AWAY)),  # only mid-login
    ("mfa_reauthenticate", ""): ("get", None, signed_in(AWAY)),  # no authenticator yet
    ("mfa_activate_totp", ""): ("get", None, signed_in(AWAY)),   # re-authentication first
    ("mfa_deactivate_totp", ""): ("get", None, signed_in(HIDDEN)),  # nothing to deactivate
    ("mfa_view_recovery_codes", ""): ("get", None, signed_in(HIDDEN)),
    ("mfa_generate_recovery_codes", ""): ("get", None, signed_in(AWAY)),
    ("mfa_download_recovery_codes", ""): ("get", None, signed_in(HIDDEN)),
    ("dashboard", ""): ("get", None, signed_in(OK)),
    ("my_profile", ""): ("get", None, signed_in(OK)),
    ("people_list", ""): ("get", None, only({HR: OK})),
    ("people_import", ""): ("get", None, only({HR: OK})),
    ("people_import_template", ""): ("get", None, only({HR: OK})),
    ("person_detail", ""): ("get", "person", only({HR: OK})),
    ("person_detail", "outside HR scope"): ("get", "outsider", only({HR: HIDDEN})),
    ("person_edit", ""): ("get", "person", only({HR: OK})),
    ("person_edit", "outside HR scope"): ("get", "outsider", only({HR: HIDDEN})),
    ("person_roles", ""): ("post", "person", only({HR: AWAY})),
    ("person_roles", "outside HR scope"): ("post", "outsider", only({HR: HIDDEN})),
    # Activation codes: HR of the person's scope issues them (the slip is the page); anyone redeems one.
    ("person_activation_code", ""): ("post", "person", only({HR: OK})),
    ("person_activation_code", "outside HR scope"): ("post", "outsider", only({HR: HIDDEN})),
    ("person_activation_email", ""): ("post", "person", only({HR: AWAY})),  # no outgoing mail here: a message
    # The qualifications register: HR of the person's scope records, corrects and removes what they obtained elsewhere
    # and reads its scan (404 outside the scope); any HR officer sets the kinds and the certificate each rank requires.
    ("qualification_add", ""): ("get", "person", only({HR: OK})),
    ("qualification_add", "outside HR scope"): ("post", "outsider", only({HR: HIDDEN})),
    ("qualification_edit", ""): ("get", "qualification", only({HR: OK})),
    ("qualification_edit", "outside HR scope"): ("get", "outsider_qualification", only({HR: HIDDEN})),
    ("qualification_remove", ""): ("get", "qualification", only({HR: OK})),
    ("qualification_remove", "outside HR scope"): ("post", "outsider_qualification", only({HR: HIDDEN})),
    ("qualification_scan", ""): ("get", "qualification", only({HR: OK})),
    ("qualification_scan", "outside HR scope"): ("get", "outsider_qualification", only({HR: HIDDEN})),
    ("qualification_settings", ""): ("get", None, only({HR: OK})),
    ("qualification_kind_add", ""): ("post", None, only({HR: AWAY})),  # no name: refused with a message
    ("qualification_kind_edit", ""): ("post", "qualification_kind", only({HR: AWAY})),
    ("qualification_kind_remove", ""): ("post", "qualification_kind", only({HR: AWAY})),  # held: refused
    ("rank_requirement_set", ""): ("post", "rank", only({HR: AWAY})),  # none to lift: refused with a message
    ("activate", ""): ("get", None, everyone(OK)),
    ("activate_link", ""): ("get", "activation_link", everyone(GONE)),  # no such code
    # A staff member's own two-factor enrolment code by email (only needed with REQUIRE_STAFF_MFA): back to the set-up.
    ("enrolment_code_send", ""): ("post", None, signed_in(AWAY)),
    ("unit_list", ""): ("get", None, only({HR: OK})),
    ("audit_list", ""): ("get", None, only({HR: OK, COUNCIL: OK})),
    ("profile_edit", ""): ("get", None, only({HR: OK})),
    # A notice reaches the audience its sender is responsible for: the course manager has none yet.
    ("notice_send", ""): ("post", None, only({HR: AWAY, Role.CONTEST_ORGANISER.value: AWAY})),
    # The training catalogue: the course manager's.
    ("programme_list", ""): ("get", None, only({Role.COURSE_MANAGER.value: OK})),
    ("programme_detail", ""): ("get", "programme", only({Role.COURSE_MANAGER.value: OK})),
    ("programme_edit", ""): ("get", "programme", only({Role.COURSE_MANAGER.value: OK})),
    ("institution_list", ""): ("get", None, only({Role.COURSE_MANAGER.value: OK})),
    # Classes: the course manager runs every class; a lecturer (the role) reaches the classes they head or teach
    # ("their class": the lecturer of this world heads it), never another.
    ("class_list", ""): ("get", None, only({CM: OK, LECTURER: OK})),
    ("class_detail", ""): ("get", "course_class", only({CM: OK})),
    ("class_detail", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("class_schedule", ""): ("post", "course_class", only({CM: OK})),  # no file: the form again
    ("class_learners", ""): ("get", "course_class", only({CM: OK})),
    ("class_learners", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("learner_template", ""): ("get", "course_class", only({CM: OK})),
    ("learner_remove", ""): ("post", "enrolment", only({CM: AWAY})),
    ("class_close", "their class"): ("post", "own_class", only({CM: AWAY, LECTURER: AWAY})),  # too early: refused
    ("class_close", ""): ("post", "course_class", only({CM: AWAY})),
    ("class_attendance", ""): ("get", "course_class", only({CM: OK})),
    ("class_attendance", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("signin_template", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("class_scores", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("scores_template", ""): ("get", "course_class", only({CM: OK})),
    ("class_completion", ""): ("get", "course_class", only({CM: OK})),
    ("class_completion", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("discipline_delete", ""): ("post", "discipline", only({CM: AWAY})),
    ("class_correction", "their class"): ("post", "own_class", only({CM: OK, LECTURER: OK})),  # no data: the form
    ("session_attendance", ""): ("get", "class_session", only({CM: OK})),
    ("session_attendance", "their class"): ("get", "own_session", only({CM: OK, LECTURER: OK})),
    ("check_in_screen", "their class"): ("get", "own_session", only({CM: OK, LECTURER: OK})),
    ("check_in_state", ""): ("get", "class_session", only({CM: OK})),
    ("check_in_state", "their class"): ("get", "own_session", only({CM: OK, LECTURER: OK})),
    # The learner's check-in page: anyone signed in (the code decides; someone of no class is told so).
    ("learner_check_in", ""): ("get", None, signed_in(OK)),
    # Written work: the class's lecturers and head (and the course manager) see and grade it; the head and the
    # manager set assignments; the file goes to its learner and the class's staff only (404 for anyone else); the
    # learner's page to the learners of the class (the lecturer of this world is a learner of K1).
    ("written_list", ""): ("get", "course_class", only({CM: OK})),
    ("written_list", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("written_create", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("written_assignment", ""): ("get", "written_k1", only({CM: OK})),
    ("written_assignment", "their class"): ("get", "written_k2", only({CM: OK, LECTURER: OK})),
    ("written_edit", "their class"): ("get", "written_k2", only({CM: OK, LECTURER: OK})),
    ("written_delete", "their class"): ("post", "written_k2", only({CM: AWAY, LECTURER: AWAY})),  # handed in: kept
    ("written_grade", "their class"): ("get", "written_grade_k2", only({CM: OK, LECTURER: OK})),
    ("written_file", "their class"): ("get", "written_file_k2", only({CM: OK, LECTURER: OK}, others=HIDDEN)),
    ("written_file", "the learner's own"): ("get", "written_file_own", only({CM: OK, LECTURER: OK}, others=HIDDEN)),
    ("learner_written", ""): ("get", "written_learner", only({LECTURER: OK})),
    # Lessons: the course manager writes them (a lesson's files and video only through these views); the learner's
    # pages to the learners of the class (the lecturer of this world is a learner of K1), no one else.
    ("module_lessons", ""): ("get", "lesson_module", only({CM: OK})),
    ("lesson_preview", ""): ("get", "lesson", only({CM: OK})),
    ("lesson_edit", ""): ("get", "lesson", only({CM: OK})),
    ("lesson_delete", ""): ("post", "lesson", only({CM: AWAY})),
    ("lesson_move", ""): ("post", "lesson", only({CM: AWAY})),
    ("lesson_file", ""): ("get", "lesson_file", only({CM: OK})),
    ("lesson_file_remove", ""): ("post", "lesson_file", only({CM: AWAY})),
    ("lesson_video", ""): ("get", "lesson", only({CM: HIDDEN})),  # no video uploaded
    ("learn_home", ""): ("get", None, signed_in(OK) | {LECTURER: AWAY}),  # one class: straight to it
    ("learn_class", ""): ("get", "course_class", only({LECTURER: OK})),
    ("learn_class", "their class"): ("get", "own_class", only({})),  # heading a class is not learning in it
    ("learn_lesson", ""): ("get", "learn_lesson", only({LECTURER: OK})),
    ("learn_lesson_beat", ""): ("post", "learn_lesson", only({LECTURER: OK})),
    ("learn_lesson_done", ""): ("post", "learn_lesson", only({LECTURER: AWAY})),
    ("learn_lesson_file", ""): ("get", "learn_lesson_file", only({LECTURER: OK})),
    ("learn_lesson_video", ""): ("get", "learn_lesson", only({LECTURER: HIDDEN})),  # no video uploaded
    # Anonymous feedback: the learner's page to the learners of the class (the lecturer of this world is a learner of
    # K1); the class's summary and workbook to its head and the course manager; every class's to the course manager.
    ("learn_feedback", ""): ("get", "course_class", only({LECTURER: OK})),
    ("learn_feedback", "their class"): ("get", "own_class", only({})),  # heading a class is not learning in it
    ("class_feedback", ""): ("get", "course_class", only({CM: OK})),
    ("class_feedback", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("class_feedback_download", ""): ("get", "course_class", only({CM: OK})),
    ("class_feedback_download", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("feedback_summary", ""): ("get", None, only({CM: OK})),
    ("feedback_summary_download", ""): ("get", None, only({CM: OK})),
    # Who is behind: the class's lecturers and head, and the course manager.
    ("class_progress", ""): ("get", "course_class", only({CM: OK})),
    ("class_progress", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("class_progress_download", ""): ("get", "course_class", only({CM: OK})),
    ("class_progress_download", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    # Tests on the engine: the class's head and the course manager set them and watch a graded one live (more time
    # for one learner there); the learner's pages to the learners of the class, each reaching only their own tries
    # (the lecturer of this world is a learner of K1, on the matrix's machine).
    ("class_tests", ""): ("get", "course_class", only({CM: OK})),
    ("class_tests", "their class"): ("get", "own_class", only({CM: OK, LECTURER: OK})),
    ("class_test_edit", ""): ("get", "test_k1", only({CM: OK})),
    ("class_test_edit", "their class"): ("get", "test_k2", only({CM: OK, LECTURER: OK})),
    ("class_test_delete", "their class"): ("post", "test_k2", only({CM: AWAY, LECTURER: AWAY})),  # tried: it stays
    ("class_test_live", "their class"): ("get", "test_k2", only({CM: OK, LECTURER: OK})),
    ("class_test_live", "a practice test"): ("get", "test_k1", only({CM: HIDDEN})),  # practice is not watched
    ("class_test_live_state", "their class"): ("get", "test_k2", only({CM: OK, LECTURER: OK})),
    ("class_test_extend", "their class"): ("post", "try_k2", only({CM: AWAY, LECTURER: AWAY})),  # no minutes: refused
    # Certificates' documents: the decision's draft and the issuance registers are the course manager's (a class head
    # does not issue); HR reports on certificates held and training under way within its scope.
    ("certificate_decision", ""): ("get", "course_class", only({CM: OK})),
    ("certificate_decision", "their class"): ("get", "own_class", only({CM: OK})),
    ("certificate_register", ""): ("get", "course_class", only({CM: OK})),
    ("institution_register", ""): ("get", "institution", only({CM: OK})),
    ("qualification_report", ""): ("get", None, only({HR: OK})),
    # Issuing, printing and changing certificates: the course manager's; the holder (the lecturer learns in K1)
    # downloads their own designed certificate; everyone, signed in or not, verifies one.
    ("class_certificates", ""): ("get", "course_class", only({CM: OK})),
    ("class_certificates", "their class"): ("get", "own_class", only({CM: OK})),
    ("class_certificates_print", ""): ("get", "course_class", only({CM: OK})),
    ("certificate_detail", ""): ("get", "certificate", only({CM: OK})),
    ("certificate_change", ""): ("post", "certificate_revoke", only({CM: OK})),  # no reason: the form again
    ("certificate_pdf", ""): ("get", "certificate", only({CM: OK, LECTURER: OK})),
    ("certificate_lookup", ""): ("get", None, everyone(OK)),
    ("certificate_verify", ""): ("get", "certificate_token", everyone(OK)),
    ("learner_test", ""): ("get", "test_k1", only({LECTURER: OK})),
    ("learner_test", "their class"): ("get", "test_k2", only({})),  # heading a class is not learning in it
    ("learner_test_paper", ""): ("get", "try_open", only({LECTURER: OK})),
    ("learner_test_paper", "a class they do not learn in"): ("get", "try_k2", only({})),
    ("learner_test_result", ""): ("get", "try_done", only({LECTURER: OK})),
    # Question banks: authors of the bank edit it, council members read it, nobody else reaches it.
    ("bank_list", ""): ("get", None, only({AUTHOR: OK, COUNCIL: OK})),
    ("bank_list", "create"): ("post", None, only({AUTHOR: AWAY})),
    ("question_template", ""): ("get", None, only({AUTHOR: OK, COUNCIL: OK})),
    ("bank_detail", ""): ("get", "bank", only({AUTHOR: OK, COUNCIL: OK})),
    ("bank_detail", "another author's bank"): ("get", "other_bank", only({COUNCIL: OK})),
    ("bank_bulk", ""): ("post", "bank", only({AUTHOR: AWAY})),
    ("bank_authors", ""): ("post", "bank", only({AUTHOR: AWAY})),
    ("bank_training", ""): ("post", "bank", only({AUTHOR: AWAY})),  # open to training courses, or closed
    ("bank_retire_legal_basis", ""): ("post", "bank", only({AUTHOR: AWAY})),
    ("bank_export", ""): ("get", "bank", only({AUTHOR: OK, COUNCIL: OK})),
    ("bank_import", ""): ("get", "bank", only({AUTHOR: OK})),
    ("bank_import", "another author's bank"): ("get", "other_bank", only({})),
    ("question_new", ""): ("get", "bank_pk", only({AUTHOR: OK})),
    ("question_preview", ""): ("post", "bank_pk", only({AUTHOR: OK})),
    ("blueprint_list", ""): ("get", "bank_pk", only({AUTHOR: OK, COUNCIL: OK})),
    ("question_detail", ""): ("get", "question", only({AUTHOR: OK, COUNCIL: OK})),
    ("question_edit", ""): ("get", "question", only({AUTHOR: OK})),
    ("question_approve", ""): ("post", "question", only({AUTHOR: AWAY})),
    ("question_image_upload", ""): ("post", None, only({AUTHOR: BAD_REQUEST})),  # no image sent
    ("question_image", ""): ("get", "image", signed_in(OK)),  # candidates see images in their papers
    ("blueprint_detail", ""): ("get", "blueprint", only({AUTHOR: OK, COUNCIL: OK})),
    ("paper_set_create", ""): ("post", "blueprint_pk", only({AUTHOR: AWAY})),
    ("paper_set_detail", ""): ("get", "paper_set", only({AUTHOR: OK, COUNCIL: OK})),
    ("paper_set_seal", ""): ("post", "paper_set", only({AUTHOR: AWAY})),
    ("paper_set_delete", ""): ("post", "paper_set", only({AUTHOR: AWAY})),  # sealed: refused with a message
    ("paper_preview", ""): ("get", "paper", only({AUTHOR: OK, COUNCIL: OK})),
    ("paper_pdf", ""): ("get", "paper", only({AUTHOR: OK, COUNCIL: OK})),
    ("paper_key_pdf", ""): ("get", "paper", only({AUTHOR: OK, COUNCIL: OK})),
    # Exam sessions: HR runs them; the council (by position on that exam) reads them; the call-in list (full
    # CCCD) goes to HR and that room's invigilators only.
    # The marker sits on the marking board of the marking world's exam: a board position lists that exam.
    ("exam_list", ""): ("get", None, only({HR: OK, COUNCIL: OK})),
    ("exam_list", "create"): ("post", None, only({HR: AWAY})),
    ("exam_detail", ""): ("get", "exam", only({HR: OK, COUNCIL: OK})),
    ("exam_edit", ""): ("get", "exam", only({HR: OK})),
    ("exam_quotas", ""): ("get", "exam", only({HR: OK})),
    ("exam_transition", ""): ("post", "exam", only({HR: AWAY, COUNCIL: AWAY})),
    ("exam_council_add", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_room_add", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_sitting_add", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_invigilator_add", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_candidates", ""): ("get", "exam", only({HR: OK, COUNCIL: OK})),
    ("exam_renumber", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_allocate", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_export_call_in", ""): ("get", "exam", only({HR: OK})),
    ("exam_export_call_in", "the invigilator's room"): ("get", "exam_room", only({HR: OK, INVIGILATOR: OK})),
    ("exam_export_candidates", ""): ("get", "exam", only({HR: OK})),
    ("exam_export_exemptions", ""): ("get", "exam", only({HR: OK})),
    ("exam_export_login_slips", ""): ("get", "exam", only({HR: OK})),
    ("subject_edit", ""): ("get", "subject", only({HR: OK})),
    ("registration_room", ""): ("post", "registration", only({HR: AWAY})),
    # Setting up and correcting the exam's parts (issue 17): HR only.
    ("exam_candidate_template", ""): ("get", "exam", only({HR: OK})),
    ("sitting_detail", ""): ("get", "sitting_pk", only({HR: OK})),
    ("sitting_papers", ""): ("post", "sitting_pk", only({HR: AWAY})),
    ("sitting_edit", ""): ("get", "sitting_pk", only({HR: OK})),
    ("sitting_remove", ""): ("post", "sitting_pk", only({HR: AWAY})),
    ("room_edit", ""): ("get", "room", only({HR: OK})),
    ("room_remove", ""): ("post", "room", only({HR: AWAY})),
    ("council_remove", ""): ("post", "council_member", only({HR: AWAY})),  # refused with the reason: published
    ("invigilator_edit", ""): ("get", "assignment", only({HR: OK})),
    ("invigilator_remove", ""): ("post", "assignment", only({HR: AWAY})),
    ("registration_edit", ""): ("get", "registration", only({HR: OK})),
    ("registration_withdraw", ""): ("post", "registration", only({HR: AWAY})),
    ("exam_login", ""): ("get", None, everyone(OK)),
    # Exam day: the candidate reaches only their own paper; the console and dispute exports go to the room's
    # invigilator, HR (read) and the council chair; only invigilators and the chair act in the room.
    ("sitting_enter", ""): ("get", "sitting", only({CANDIDATE: AWAY}, others=HIDDEN)),
    ("room_console", ""): ("get", "sitting_room", only({INVIGILATOR: OK, HR: OK, COUNCIL: OK})),
    ("room_open", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_new_code", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_pause", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_resume", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_extend", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_admit", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_release", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_penalty", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_incident", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("room_unlock_login", ""): ("post", "sitting_room", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("sitting_extend", ""): ("post", "sitting", only({INVIGILATOR: AWAY, COUNCIL: AWAY})),
    ("attempt_page", ""): ("get", "attempt", only({CANDIDATE: OK}, others=HIDDEN)),
    ("attempt_save", ""): ("post", "attempt", only({CANDIDATE: OK}, others=HIDDEN)),
    ("attempt_flag", ""): ("post", "attempt", only({CANDIDATE: OK}, others=HIDDEN)),
    ("attempt_state", ""): ("get", "attempt", only({CANDIDATE: OK}, others=HIDDEN)),
    ("attempt_result", ""): ("get", "attempt", only({CANDIDATE: AWAY}, others=HIDDEN)),
    ("attempt_submit", ""): ("post", "attempt", only({CANDIDATE: AWAY}, others=HIDDEN)),
    # The exam-room session's own attempt: nobody else's (its reach is in EXAM_ROOM_REACHES).
    ("attempt_page", "the exam-room session's"): ("get", "room_attempt", only({}, others=HIDDEN)),
    ("attempt_save", "the exam-room session's"): ("post", "room_attempt", only({}, others=HIDDEN)),
    ("attempt_flag", "the exam-room session's"): ("post", "room_attempt", only({}, others=HIDDEN)),
    ("attempt_state", "the exam-room session's"): ("get", "room_attempt", only({}, others=HIDDEN)),
    ("attempt_result", "the exam-room session's"): ("get", "room_attempt", only({}, others=HIDDEN)),
    ("attempt_submit", "the exam-room session's"): ("post", "room_attempt", only({}, others=HIDDEN)),
    ("attempt_timeline", ""): ("get", "attempt", only({INVIGILATOR: OK, HR: OK, COUNCIL: OK})),
    ("room_record", ""): ("get", "room_session", only({INVIGILATOR: OK, HR: OK, COUNCIL: OK})),
    ("my_sittings", ""): ("get", None, only({INVIGILATOR: OK, HR: OK})),
    ("my_exams", ""): ("get", None, signed_in(OK)),
    # Results: HR and the exam's council read them and download the lists; the chair (or vice-chair) resolves
    # ties and approves; HR and the chair or secretary compute; HR publishes and imports scores. A candidate
    # reaches only their own published row, through their own registration: 404 for everyone else.
    ("exam_results", ""): ("get", "exam", only({HR: OK, COUNCIL: OK})),
    ("exam_results", "published"): ("get", "results_exam", only({HR: OK, COUNCIL: OK})),
    ("exam_results_compute", ""): ("post", "exam", only({HR: AWAY, COUNCIL: AWAY})),
    ("exam_results_tie", ""): ("post", "exam", only({COUNCIL: AWAY})),
    ("exam_results_approve", ""): ("post", "exam", only({COUNCIL: AWAY})),
    ("exam_results_publish", ""): ("post", "exam", only({HR: AWAY})),
    ("exam_results_versions", ""): ("get", "results_exam", only({HR: OK, COUNCIL: OK})),
    ("exam_results_compare", ""): ("get", "results_compare", only({HR: OK, COUNCIL: OK})),
    ("exam_results_annex", ""): ("get", "results_annex", only({HR: OK, COUNCIL: OK})),
    ("exam_results_decision", ""): ("get", "results_exam", only({HR: OK, COUNCIL: OK})),
    ("exam_scores_import", ""): ("get", "exam", only({HR: OK})),
    ("exam_scores_template", ""): ("get", "exam", only({HR: OK})),
    ("result_notice", ""): ("get", "candidate_result", only({HR: OK, COUNCIL: OK})),
    ("my_result", ""): ("get", "results_exam", only({CANDIDATE: OK}, others=HIDDEN)),
    ("my_result", "not published yet"): ("get", "exam", only({}, others=HIDDEN)),
    ("my_result_notice", ""): ("get", "results_exam", only({CANDIDATE: OK}, others=HIDDEN)),
    # Statistics: HR and the exam's council or boards (the council chair here); never candidates. Resolving an
    # item-analysis review: the bank's authors (the question board of the flagging exam too, tested apart).
    ("exam_statistics", ""): ("get", "exam", only({HR: OK, COUNCIL: OK})),
    ("exam_statistics_xlsx", ""): ("get", "exam", only({HR: OK, COUNCIL: OK})),
    ("question_review_resolve", ""): ("post", "question", only({AUTHOR: AWAY})),
    # Marking (issue 7): the marker reaches only their own markings and their scans (404 for anyone else); the
    # scripts, scans, mapping and uploads go to the council secretary (and the anonymisation board) only, not HR;
    # the secretary also heads marking and re-marking. A candidate appeals only from their own published result.
    ("marking_queue", ""): ("get", None, only({MARKER: OK, COUNCIL: OK})),
    ("marking_page", ""): ("get", "marking", only({MARKER: OK}, others=HIDDEN)),
    ("marking_scan", ""): ("get", "marking_scan", only({MARKER: OK}, others=HIDDEN)),
    ("subject_scripts", ""): ("get", "written_subject", only({COUNCIL: OK})),
    ("subject_anonymise", ""): ("post", "written_subject", only({COUNCIL: AWAY})),
    ("subject_scan_upload", ""): ("post", "scan_upload", only({COUNCIL: AWAY})),  # no file: refused with a message
    ("subject_mapping", ""): ("get", "written_subject", only({COUNCIL: OK})),
    ("subject_deanonymise", ""): ("post", "written_subject", only({COUNCIL: AWAY})),  # not all marked: a message
    ("subject_scan", ""): ("get", "subject_scan", only({COUNCIL: OK})),
    ("marking_dashboard", ""): ("get", "written_subject", only({COUNCIL: OK})),
    ("marking_assign", ""): ("post", "written_subject", only({COUNCIL: AWAY})),
    ("appeals_list", ""): ("get", "marking_exam", only({COUNCIL: OK})),
    ("appeal_assign", ""): ("post", "appeal", only({COUNCIL: AWAY})),  # no re-marking board: refused with a message
    ("my_result_appeal", ""): ("post", "results_exam", only({CANDIDATE: AWAY}, others=HIDDEN)),
    # The contest: its organisers set it up and run its rounds; nobody else reaches these pages.
    ("contest_list", ""): ("get", None, only({ORGANISER: OK})),
    ("contest_detail", ""): ("get", "contest", only({ORGANISER: OK})),
    ("contest_group_add", ""): ("post", "contest", only({ORGANISER: BAD_REQUEST})),  # no name: the form again
    ("contest_group_edit", ""): ("post", "contest_group", only({ORGANISER: AWAY})),
    ("contest_group_remove", ""): ("post", "contest_group", only({ORGANISER: AWAY})),  # joined: refused
    ("contest_round_add", ""): ("post", "contest", only({ORGANISER: BAD_REQUEST})),
    ("contest_round", ""): ("get", "contest_round", only({ORGANISER: OK})),
    ("contest_round_remove", ""): ("post", "contest_round", only({ORGANISER: AWAY})),  # entries: refused
    ("contest_round_group_add", ""): ("post", "contest_round", only({ORGANISER: BAD_REQUEST})),
    ("contest_round_group_edit", ""): ("post", "round_setting", only({ORGANISER: AWAY})),
    ("contest_round_group_remove", ""): ("post", "round_setting", only({ORGANISER: AWAY})),
    ("contest_round_close", ""): ("post", "contest_round", only({ORGANISER: AWAY})),  # still open: refused
    ("contest_round_approve", ""): ("post", "contest_round", only({ORGANISER: AWAY})),
    ("contest_round_publish", ""): ("post", "contest_round", only({ORGANISER: AWAY})),
    ("contest_entry_void", ""): ("post", "round_entry", only({ORGANISER: AWAY})),
    ("contest_standing_decide", ""): ("post", "round_standing", only({ORGANISER: AWAY})),
    ("contest_round_ranking_xlsx", ""): ("get", "contest_round", only({ORGANISER: AWAY})),  # not closed: a message
    ("contest_round_winners_xlsx", ""): ("get", "contest_round", only({ORGANISER: AWAY})),
    ("contest_round_decision", ""): ("get", "contest_round", only({ORGANISER: AWAY})),  # not approved: a message
    # The contest's public page is for anyone; joining for anyone signed in (the one who joined is sent on); a
    # round's page sends those who have not joined to joining; an entry is its participant's alone.
    ("contest_public", ""): ("get", "contest", everyone(OK)),
    # Signing up is for those not signed in (the others are sent to joining); its captcha's picture is anyone's (an
    # unknown key: 410); a disputed number is the organisers' to release.
    ("contest_signup", ""): ("get", "contest", {ANON: OK, **dict.fromkeys(STAFF, AWAY)}),
    ("captcha-image", ""): ("get", "captcha", everyone(GONE)),
    ("contest_number_release", ""): ("get", "contest", only({ORGANISER: OK})),
    ("contest_join", ""): ("get", "contest", signed_in(OK) | {PARTICIPANT: AWAY}),
    ("contest_participant_round", ""): ("get", "contest_round", signed_in(AWAY) | {PARTICIPANT: OK}),
    # The world's entry has no paper on the engine: its paper page says it cannot be opened here (409).
    ("contest_entry", ""): ("get", "own_entry", only({PARTICIPANT: CONFLICT}, others=HIDDEN)),
    ("contest_entry_submit", ""): ("post", "own_entry", only({PARTICIPANT: AWAY}, others=HIDDEN)),
    ("contest_entry_result", ""): ("get", "own_entry", only({PARTICIPANT: OK}, others=HIDDEN)),
}

# What the exam-room session reaches; on any other row it gets OUTSIDE for a GET and DENIED for the rest.
EXAM_ROOM_REACHES: dict[tuple[str, str], object] = {
    ("healthz", ""): OK,
    ("livez", ""): OK,
    ("set_language", ""): AWAY,
    ("account_logout", ""): OK,
    ("exam_login", ""): OK,
    ("my_exams", ""): OK,
    ("question_image", ""): OK,  # the paper's pictures
    ("sitting_enter", ""): AWAY,  # its own sitting, started on this machine: on to its paper
    ("attempt_page", "the exam-room session's"): OK,
    ("attempt_save", "the exam-room session's"): OK,
    ("attempt_flag", "the exam-room session's"): OK,
    ("attempt_state", "the exam-room session's"): OK,
    ("attempt_result", "the exam-room session's"): AWAY,  # not finished: back to the paper
    ("attempt_submit", "the exam-room session's"): AWAY,
    ("my_result", "not published yet"): HIDDEN,  # its own exam, reached: the view has no result to show
}


def exam_room_expected(key) -> object:
    return EXAM_ROOM_REACHES.get(key, OUTSIDE if MATRIX[key][0] == "get" else DENIED)


POST_JSON = {"attempt_save": {"item": 0, "seq": 1, "value": None}, "attempt_flag": {"item": 0, "flagged": True}}
POST_DATA = {
    "room_incident": {"reason": "Ghi nhận"},
    "exam_transition": {"to": "running"},
    "exam_list": {"preset": "sat-hach-noi-bo", "name": "Kỳ thi mới", "cutoff": "01/06/2026"},
    "set_language": {"language": "vi", "next": "/"},
    "bank_list": {"name": "Ngân hàng mới", "description": ""},
    "bank_retire_legal_basis": {"legal_basis": "Không có"},
    "paper_set_create": {"name": "Ca 2", "seed": "t", "candidates": "CV0002"},
}


def all_url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    in_table = {name for name, _ in MATRIX}
    names = all_url_names()
    assert None not in names, "every URL pattern needs a name so the matrix can list it"
    assert names - in_table == set(), "URL patterns missing from the permission matrix"
    assert in_table - names == set(), "rows for URLs that no longer exist"
    assert set(EXAM_ROOM_REACHES) <= set(MATRIX)
    for _key, (_method, _kwargs, table) in MATRIX.items():
        assert set(table) == set(ROLES)


@pytest.fixture
def world(db, make_user, province, settings, tmp_path):
    inside = unit_create(name="Sở Nội vụ", parent=province, code="SNV")
    other_root = unit_create(name="UBND tỉnh Khác", parent=None, code="K")
    users = {ANON: None}
    for role in Role:
        scope = {"hr_scope": province} if role == Role.HR_STAFF else {}
        users[role.value] = make_user(role.value, username=f"r_{role.value}", unit=inside, **scope)
    person = make_user(username="someone", unit=inside)
    outsider = make_user(username="outsider", unit=unit_create(name="Sở X", parent=other_root, code="KX"))
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "question-images").mkdir()
    (tmp_path / "question-images" / "a.png").write_bytes(b"png")
    bank_objects = _bank_world(users[AUTHOR], make_user)
    exam_objects = {**_exam_world(users), **_results_world(users), **_marking_world(users, make_user)}
    users[EXAM_ROOM_SESSION] = make_user(Role.HR_STAFF, username="r_exam_room", unit=inside, hr_scope=province)
    exam_objects.update(_exam_room_world(users[EXAM_ROOM_SESSION]))
    kwargs = {
        None: {},
        **bank_objects,
        **exam_objects,
        "image": {"name": "a.png"},
        "person": {"pk": person.pk},
        "outsider": {"pk": outsider.pk},
        **_qualification_world(person, outsider),
        "key": {"key": "not-a-real-key"},
        "captcha": {"key": "0" * 40},
        "reset": {"uidb36": "0", "key": "not-a-real-key"},
        "activation_link": {"pk": 999999, "code": "NOTAREALCODE"},
        **_programme_world(users[LECTURER]),
        **_lesson_world(),
        **_written_world(users[LECTURER], make_user),
        **_tests_world(users[LECTURER], make_user),
        "institution": {"pk": _institution_pk()},
        **_certificate_world(),
        **_contest_world(users[Role.PARTICIPANT.value]),
    }
    return users, kwargs


def _qualification_world(person, outsider) -> dict:
    """An outside qualification with its scan for the person of HR's scope and for the outsider."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from accounts.models import Qualification, QualificationKind, Rank

    kind = QualificationKind.objects.create(code="x-matrix", name="Bằng cao cấp lý luận chính trị – hành chính")
    found = {"qualification_kind": {"pk": kind.pk}, "rank": {"pk": Rank.objects.get(code="01.003").pk}}
    for key, holder in (("qualification", person), ("outsider_qualification", outsider)):
        entry = Qualification(person=holder, kind=kind, source="outside", issuer="Học viện", number=f"S-{holder.pk}",
                              issued_on=dt.date(2020, 1, 2), scan_type="application/pdf")
        entry.scan.save("scan.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        entry.save()
        found[key] = {"pk": holder.pk, "entry": entry.pk}
    return found


def _programme_world(lecturer) -> dict:
    import datetime as dt

    from courses.models import ClassStaff, Discipline, Enrolment, Module, Session
    from courses.services import class_create, programme_create

    programme = programme_create(preset_slug="lanh-dao-cap-phong", actor=None)
    course_class, own_class = (class_create(programme=programme, name=name, starts_on=dt.date(2030, 1, 1),
                                            ends_on=dt.date(2030, 1, 31), actor=None) for name in ("K1", "K2"))
    ClassStaff.objects.create(course_class=own_class, user=lecturer, role="head")
    module = Module.objects.filter(part__programme=programme).first()
    session, own_session = (Session.objects.create(course_class=c, date=dt.date(2030, 1, 2), half="am",
                                                   module=module, periods=4) for c in (course_class, own_class))
    learner = Enrolment.objects.create(course_class=course_class, person=lecturer)
    measure = Discipline.objects.create(enrolment=learner, level="warning", reason="Thử", decided_on=dt.date(2030, 1, 2))
    return {"programme": {"pk": programme.pk}, "course_class": {"pk": course_class.pk},
            "own_class": {"pk": own_class.pk}, "class_session": {"pk": session.pk},
            "own_session": {"pk": own_session.pk}, "enrolment": {"pk": course_class.pk, "enrolment": learner.pk},
            "discipline": {"pk": course_class.pk, "measure": measure.pk}}


def _institution_pk() -> int:
    from courses.models import Institution

    return Institution.objects.create(name="Trường Chính trị tỉnh", letterhead_line_1="UBND TỈNH",
                                      letterhead_line_2="TRƯỜNG CHÍNH TRỊ").pk


def _certificate_world() -> dict:
    """A rendered certificate of K1's learner (the lecturer), with its design PDF on disk."""
    import datetime as dt
    import io

    import pikepdf
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from courses.models import Certificate, Enrolment, Institution

    enrolment = Enrolment.objects.get(course_class__name="K1", course_class__programme__code="LDCP")
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(842, 595))
        pdf.save(buffer)
    certificate = Certificate(
        enrolment=enrolment, institution=Institution.objects.get(name="Trường Chính trị tỉnh"), serial="LDCP-2030-0001",
        register_year=2030, register_number=1, token="matrix-token", verify_url="http://testserver/verify/matrix-token/",
        issued_on=dt.date(2030, 2, 1), holder_name=enrolment.person.full_name, programme_name="LĐCP", class_name="K1",
        starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 31), institution_name="Trường Chính trị tỉnh",
        rendered_at=timezone.now())
    certificate.pdf.save("matrix.pdf", ContentFile(buffer.getvalue()), save=False)
    certificate.save()
    return {"certificate": {"pk": certificate.pk}, "certificate_revoke": {"pk": certificate.pk, "action": "revoke"},
            "certificate_token": {"token": certificate.token}}


def _lesson_world() -> dict:
    """A lesson of the module of K1's programme, with a PDF attached."""
    from django.core.files.base import ContentFile

    from courses.models import CourseClass, Lesson, LessonFile, Module

    course_class = CourseClass.objects.get(name="K1", programme__code="LDCP")
    module = Module.objects.filter(part__programme=course_class.programme).first()
    lesson = Lesson.objects.create(module=module, order=1, title="Bài 1", body="<p>Nội dung</p>")
    attached = LessonFile(lesson=lesson, name="tai-lieu.pdf", content_type="application/pdf", size=9)
    attached.file.save("tai-lieu.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attached.save()
    return {"lesson_module": {"pk": module.pk}, "lesson": {"pk": lesson.pk},
            "lesson_file": {"pk": lesson.pk, "file": attached.pk},
            "learn_lesson": {"pk": course_class.pk, "lesson": lesson.pk},
            "learn_lesson_file": {"pk": course_class.pk, "lesson": lesson.pk, "file": attached.pk}}


def _written_world(lecturer, make_user) -> dict:
    """An assignment in each class of _programme_world: in K1 the lecturer (a learner there) handed in; in K2 (which
    they head) another learner did."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from courses.models import Assignment, CourseClass, Criterion, Enrolment, Submission

    found = {}
    for name, person in (("K1", lecturer), ("K2", make_user(username="hv_bai_viet"))):
        course_class = CourseClass.objects.get(name=name, programme__code="LDCP")
        enrolment = Enrolment.objects.get_or_create(course_class=course_class, person=person)[0]
        assignment = Assignment.objects.create(course_class=course_class, kind="reflection", title="Thu hoạch",
                                               deadline=dt.datetime(2030, 1, 20, 17, tzinfo=dt.UTC))
        Criterion.objects.create(assignment=assignment, order=1, name="Toàn bài", points=10)
        submission = Submission(assignment=assignment, enrolment=enrolment, name="bai.pdf", extension=".pdf",
                                content_type="application/pdf", size=9, sha256="0" * 64)
        submission.file.save("bai.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        submission.save()
        found[name] = (course_class, assignment, submission)
    (k1, a1, s1), (k2, a2, s2) = found["K1"], found["K2"]
    return {"written_k1": {"pk": k1.pk, "assignment": a1.pk}, "written_k2": {"pk": k2.pk, "assignment": a2.pk},
            "written_grade_k2": {"pk": k2.pk, "submission": s2.pk}, "written_file_k2": {"pk": s2.pk},
            "written_file_own": {"pk": s1.pk}, "written_learner": {"pk": k1.pk, "assignment": a1.pk}}


def _tests_world(lecturer, make_user) -> dict:
    """Tests on the engine: in K1 a practice test the lecturer (a learner there) tried once to the end and has open
    now on the matrix's machine; in K2 (which they head) a graded test another learner has open. Rows written
    directly, the papers and attempts through the engine."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from courses.models import CourseClass, CourseTest, Enrolment, Module, TestTry
    from courses.online_tests import GRADED_PURPOSE, PRACTICE_PURPOSE
    from exams import engine
    from exams.banks.services import bank_get_or_create, question_create, topic_get_or_create
    from exams.models import Blueprint, BlueprintRow
    from tests.exams.conftest import single

    writer = make_user(Role.QUESTION_AUTHOR, username="tac_gia_lop")
    bank, _ = bank_get_or_create(name="Ngân hàng luyện tập", actor=writer, for_training=True)
    topic = topic_get_or_create(bank=bank, name="Ôn tập")
    question = question_create(topic=topic, parsed=single("Câu ôn tập", topic="Ôn tập"), author=writer)
    question.status, question.approved_by = "approved", make_user(Role.QUESTION_AUTHOR, username="duyet_lop")
    question.save()
    blueprint = Blueprint.objects.create(bank=bank, name="Ôn tập", scale=Decimal(10))
    BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=1)
    k1, k2 = (CourseClass.objects.get(name=name, programme__code="LDCP") for name in ("K1", "K2"))
    now = timezone.now()
    practice = CourseTest.objects.create(course_class=k1, mode="practice", title="Luyện tập", blueprint_id=blueprint.pk,
                                         minutes=30, module=Module.objects.filter(part__programme=k1.programme).first())
    graded = CourseTest.objects.create(course_class=k2, mode="graded", title="Kiểm tra", blueprint_id=blueprint.pk,
                                       minutes=30, assessment=k2.programme.assessments.get(code="KT1"),
                                       opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1))
    mine = Enrolment.objects.get(course_class=k1, person=lecturer)
    theirs = Enrolment.objects.create(course_class=k2, person=make_user(username="hv_kiem_tra"))
    tries = {}
    for key, test, enrolment, purpose, number in (("done", practice, mine, PRACTICE_PURPOSE, 1),
                                                  ("open", practice, mine, PRACTICE_PURPOSE, 2),
                                                  ("graded", graded, theirs, GRADED_PURPOSE, 1)):
        paper = engine.paper_draw(blueprint_id=blueprint.pk, purpose=purpose, owner_ref=key, seed=key)
        info = engine.attempt_open(owner_id=enrolment.person_id, purpose=purpose, paper_id=paper.id,
                                   time_limit_s=3600, window_closes_at=None, device=MATRIX_DEVICE)
        tries[key] = TestTry.objects.create(course_test=test, enrolment=enrolment, number=number, attempt_id=info.id,
                                            started_at=info.started_at, deadline=info.deadline)
    engine.attempt_finish(attempt_id=tries["done"].attempt_id)
    return {"test_k1": {"pk": k1.pk, "test": practice.pk}, "test_k2": {"pk": k2.pk, "test": graded.pk},
            "try_k2": {"pk": k2.pk, "test": graded.pk, "test_try": tries["graded"].pk},
            "try_open": {"pk": k1.pk, "test": practice.pk, "test_try": tries["open"].pk},
            "try_done": {"pk": k1.pk, "test": practice.pk, "test_try": tries["done"].pk}}


def _bank_world(author, make_user) -> dict:
    from decimal import Decimal

    from exams.banks.services import bank_get_or_create, question_create, topic_get_or_create
    from exams.models import Blueprint, BlueprintRow
    from exams.papers.services import paper_set_generate, paper_set_seal
    from tests.exams.conftest import single

    bank, _ = bank_get_or_create(name="Ngân hàng A", actor=author)
    stranger = make_user(Role.QUESTION_AUTHOR, username="stranger")
    other, _ = bank_get_or_create(name="Ngân hàng B", actor=stranger)
    topic = topic_get_or_create(bank=bank, name="Một cửa")
    question = question_create(topic=topic, parsed=single("Câu hỏi"), author=author)
    question.status, question.approved_by = "approved", stranger
    question.save()
    blueprint = Blueprint.objects.create(bank=bank, name="BP", scale=Decimal(10))
    BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=1)
    paper_set = paper_set_generate(blueprint=blueprint, name="Ca", seed="s", candidate_refs=["CV0001", "CV0002"],
                                   variants=None, actor=author)
    paper_set_seal(paper_set=paper_set, actor=author)
    return {
        "bank": {"pk": bank.pk}, "bank_pk": {"bank_pk": bank.pk}, "other_bank": {"pk": other.pk},
        "question": {"pk": question.pk}, "blueprint": {"pk": blueprint.pk},
        "blueprint_pk": {"blueprint_pk": blueprint.pk}, "paper_set": {"pk": paper_set.pk},
        "paper": {"pk": paper_set.papers.get(candidate_ref="CV0001").pk},
    }


def _exam_world(users) -> dict:
    import datetime as dt

    from django.utils import timezone

    from exams.models import (
        Attempt,
        AttemptItem,
        InvigilatorAssignment,
        PaperSet,
        Registration,
        Room,
        RoomSession,
        Sitting,
    )
    from exams.sessions.services import council_add, exam_create

    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi", actor=users[HR])
    council_add(exam=exam, user=users[COUNCIL], board="council", position="chair", actor=users[HR])
    exam.status = "scheduled"
    exam.save()
    room = Room.objects.create(exam=exam, name="Phòng 1", capacity=10)
    start = timezone.now() + dt.timedelta(days=1)
    sitting = Sitting.objects.create(subject=exam.subjects.first(), starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                     opens_at=start)
    assignment = InvigilatorAssignment.objects.create(sitting=sitting, room=room, user=users[INVIGILATOR])
    registration = Registration.objects.create(exam=exam, person=users[Role.CANDIDATE.value], candidate_number="CV0001",
                                               room=room)
    paper_set = PaperSet.objects.get(name="Ca")  # sealed, from the bank world, for candidate numbers CV0001 and 2
    sitting.paper_set = paper_set
    sitting.save()
    room_session = RoomSession.objects.create(sitting=sitting, room=room, code="123456", code_valid_until=start,
                                              opened_by=users[INVIGILATOR])
    attempt = Attempt.objects.create(owner_id=registration.person_id, registration=registration, sitting=sitting,
                                     room_session=room_session,
                                     paper=(paper := paper_set.papers.get(candidate_ref="CV0001")),
                                     clock_start=timezone.now(), duration_s=3600,
                                     deadline=timezone.now() + dt.timedelta(hours=1), device=MATRIX_DEVICE,
                                     device_epoch=1)
    AttemptItem.objects.create(attempt=attempt, paper_item=paper.items.get(), position=0)
    return {"exam": {"pk": exam.pk}, "exam_room": {"pk": exam.pk, "_query": f"room={room.pk}"},
            "subject": {"pk": exam.subjects.first().pk}, "registration": {"pk": registration.pk},
            "sitting": {"sitting_id": sitting.pk}, "sitting_room": {"sitting_id": sitting.pk, "room_id": room.pk},
            "attempt": {"pk": attempt.pk}, "room_session": {"pk": room_session.pk},
            "sitting_pk": {"pk": sitting.pk}, "room": {"pk": room.pk},
            "assignment": {"pk": assignment.pk}}


def _exam_room_world(person) -> dict:
    """The exam-room session's person sits the exam of _exam_world (candidate CV0002, on the matrix's machine)."""
    import datetime as dt

    from django.utils import timezone

    from exams.models import Attempt, AttemptItem, Registration, RoomSession

    room_session = RoomSession.objects.select_related("sitting__paper_set", "room").get(room__exam__name="Kỳ thi")
    sitting = room_session.sitting
    registration = Registration.objects.create(exam=sitting.subject.exam, person=person, candidate_number="CV0002",
                                               room=room_session.room, exam_password="mk-phong-thi")
    paper = sitting.paper_set.papers.get(candidate_ref="CV0002")
    attempt = Attempt.objects.create(owner_id=registration.person_id, registration=registration, sitting=sitting,
                                     room_session=room_session,
                                     paper=paper, clock_start=timezone.now(), duration_s=3600,
                                     deadline=timezone.now() + dt.timedelta(hours=1), device=MATRIX_DEVICE,
                                     device_epoch=1)
    AttemptItem.objects.create(attempt=attempt, paper_item=paper.items.get(), position=0)
    return {"room_attempt": {"pk": attempt.pk},
            "_exam_room_login": {"candidate_number": "CV0002", "password": "mk-phong-thi",
                                 "at": sitting.starts_at + dt.timedelta(minutes=5)}}


def _results_world(users) -> dict:
    """A second exam whose results are published (version 2 beside version 1), the candidate registered in it.
    Rows written directly: the matrix checks who reaches what, not how results are computed."""
    from decimal import Decimal

    from exams.models import CandidateResult, Registration, ResultVersion
    from exams.sessions.services import council_add, exam_create

    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi đã công bố", actor=users[HR])
    seat = council_add(exam=exam, user=users[COUNCIL], board="council", position="chair", actor=users[HR])
    exam.status = "published"
    exam.save()
    registration = Registration.objects.create(exam=exam, person=users[CANDIDATE], candidate_number="CV0001")
    old = ResultVersion.objects.create(exam=exam, number=1, status="superseded", candidates=1)
    new = ResultVersion.objects.create(exam=exam, number=2, status="published", reason="Phúc khảo", candidates=1,
                                       selected=1, passed=1)
    CandidateResult.objects.create(version=old, registration=registration, outcome="failed", note="Vắng thi")
    result = CandidateResult.objects.create(version=new, registration=registration, outcome="selected", passed=True,
                                            ranking_score=Decimal("80"), rank=1)
    return {"council_member": {"pk": seat.pk},  # approved results: the seat is locked, so it stays for every role
            "results_exam": {"pk": exam.pk}, "results_compare": {"pk": exam.pk, "number": 2},
            "results_annex": {"pk": exam.pk, "list_kind": "all"}, "candidate_result": {"pk": result.pk}}


def _marking_world(users, make_user) -> dict:
    """A third exam in marking: the council member is its secretary, the marker holds the first marking of a
    paper script with one scan, another marker the second; one appeal waits (rows written directly)."""
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from exams.models import Appeal, Marking, Registration, Script, ScriptScan, Subject
    from exams.sessions.services import council_add, exam_create

    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi đang chấm", actor=users[HR])
    council_add(exam=exam, user=users[COUNCIL], board="council", position="secretary", actor=users[HR])
    council_add(exam=exam, user=users[MARKER], board="marking", position="member", actor=users[HR])
    exam.status = "marking"
    exam.save()
    subject = Subject.objects.get(exam=exam, code="CMNV")
    registration = Registration.objects.create(exam=exam, person=make_user(username="thisinh_cham"),
                                               candidate_number="CV0001")
    script = Script.objects.create(registration=registration, subject=subject, source="paper", code="123456")
    scan = ScriptScan(script=script, content_type="image/png", extension=".png", size=8, sha256="0" * 64,
                      uploaded_by=users[COUNCIL])
    scan.file.save("scan.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    scan.save()
    marking = Marking.objects.create(script=script, round="first", marker=users[MARKER])
    Marking.objects.create(script=script, round="second", marker=make_user(MARKER, username="giamkhao2"))
    appeal = Appeal.objects.create(registration=registration, subject=subject, script=script,
                                   score_before=Decimal("50"))
    return {"marking": {"pk": marking.pk}, "marking_scan": {"pk": marking.pk, "scan_pk": scan.pk},
            "written_subject": {"pk": subject.pk}, "scan_upload": {"pk": subject.pk, "registration_pk": registration.pk},
            "subject_scan": {"pk": subject.pk, "scan_pk": scan.pk}, "marking_exam": {"pk": exam.pk},
            "appeal": {"pk": appeal.pk}}


def _outcome(response) -> object:
    if response.status_code == 302:
        if response.url == reverse("my_exams"):
            return OUTSIDE
        return "redirect-login" if response.url.startswith(reverse("account_login")) else AWAY
    return response.status_code


def exam_room_sign_in(client, login: dict) -> None:
    """Through the exam-room login page, at a moment its exam is open (the session then lives on after it)."""
    import time_machine

    with time_machine.travel(login["at"], tick=False):
        response = client.post(reverse("exam_login"), {"candidate_number": login["candidate_number"],
                                                       "password": login["password"]})
    assert response.status_code == 302 and response.url == reverse("my_exams")


def _send(client, name: str, method: str, url: str):
    if name in POST_JSON:
        return client.post(url, POST_JSON[name], content_type="application/json")
    if method == "post":
        return client.post(url, POST_DATA.get(name, {"text": "Xin chào"}))
    return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(MATRIX), ids=[f"{n}{'/' + v if v else ''}" for n, v in MATRIX])
def test_each_role_gets_exactly_what_the_table_says(client, world, key):
    users, kwargs = world
    name, _variant = key
    method, kwargs_key, table = MATRIX[key]
    url_kwargs = dict(kwargs[kwargs_key])
    query = url_kwargs.pop("_query", "")
    url = reverse(name, kwargs=url_kwargs) + (f"?{query}" if query else "")
    mismatches = {}
    for role in [*ROLES, EXAM_ROOM_SESSION]:
        client.logout()
        if role == EXAM_ROOM_SESSION:
            exam_room_sign_in(client, kwargs["_exam_room_login"])
        elif users[role] is not None:
            client.force_login(users[role])
        give_device_pass(client, MATRIX_DEVICE)  # every browser here entered the room code: only its owner gets on
        got = _outcome(_send(client, name, method, url))
        expected = exam_room_expected(key) if role == EXAM_ROOM_SESSION else table[role]
        if expected == LOGIN:
            expected = "redirect-login"
        if got != expected:
            mismatches[role] = (expected, got)
    assert mismatches == {}


def _contest_world(participant_user) -> dict:
    """A contest with a group, a round open in 2030 with its settings, a participant's entry and a standing."""
    import datetime as dt

    from contests.models import Contest, ContestGroup, Entry, Participant, Round, RoundGroup, Standing

    opens = dt.datetime(2030, 3, 1, 1, 0, tzinfo=dt.UTC)
    contest = Contest.objects.create(name="Hội thi CCHC", organiser="Sở Nội vụ")
    group = ContestGroup.objects.create(contest=contest, name="Cán bộ, công chức")
    contest_round = Round.objects.create(contest=contest, number=1, opens_at=opens, closes_at=opens + dt.timedelta(days=7))
    setting = RoundGroup.objects.create(round=contest_round, group=group, blueprint_id=1, minutes=20)
    participant = Participant.objects.create(contest=contest, person=participant_user, group=group,
                                             full_name=participant_user.full_name, unit_name="Sở Nội vụ",
                                             consent_at=opens)
    entry = Entry.objects.create(round=contest_round, participant=participant, number=1, attempt_id=987654,
                                 started_at=opens, deadline=opens + dt.timedelta(minutes=20), status="submitted",
                                 submitted_at=opens + dt.timedelta(minutes=5), time_taken_ms=300_000, questions=20,
                                 answered=20, correct=18)
    standing = Standing.objects.create(round=contest_round, group=group, participant=participant, entry=entry, rank=1,
                                       contested="first,second")
    return {"contest": {"pk": contest.pk}, "contest_group": {"pk": contest.pk, "group": group.pk},
            "contest_round": {"pk": contest_round.pk}, "round_setting": {"pk": contest_round.pk, "setting": setting.pk},
            "round_entry": {"pk": contest_round.pk, "entry": entry.pk}, "own_entry": {"pk": entry.pk},
            "round_standing": {"pk": contest_round.pk, "standing": standing.pk}}
