from django.urls import path

import exam_platform.converters  # noqa: F401 - registers the <id:…> converter
from exams.banks.views import banks, questions
from exams.candidate import views as candidate
from exams.examday.views import candidate as examday
from exams.examday.views import console
from exams.marking import views as marking
from exams.papers import views as papers
from exams.results.views import quotas, results
from exams.sessions.views import exams as sessions
from exams.sessions.views import parts
from exams.statistics import views as statistics

# Exam day first: a request is matched against the patterns in order, and every pattern it passes on the way
# costs a match and an entry in the resolver's record of what it tried (garbage for the collector). These are
# the routes of the start spike and of every save over HTTP.
urlpatterns = [
    path("sittings/<id:sitting_id>/enter/", examday.sitting_enter, name="sitting_enter"),
    path("sittings/<id:sitting_id>/rooms/<id:room_id>/console/", console.console, name="room_console"),
    path("sittings/<id:sitting_id>/extend/", console.sitting_extend, name="sitting_extend"),
    path("attempts/<id:pk>/", examday.attempt_page, name="attempt_page"),
    path("attempts/<id:pk>/save/", examday.attempt_save_http, name="attempt_save"),
    path("attempts/<id:pk>/flag/", examday.attempt_flag_http, name="attempt_flag"),
    path("attempts/<id:pk>/state/", examday.attempt_state, name="attempt_state"),
    path("attempts/<id:pk>/submit/", examday.attempt_submit, name="attempt_submit"),
    path("attempts/<id:pk>/result/", examday.attempt_result, name="attempt_result"),
    path("attempts/<id:pk>/timeline.csv", console.attempt_timeline, name="attempt_timeline"),
    path("room-sessions/<id:pk>/record/", console.room_record, name="room_record"),
    path("invigilation/", console.my_sittings, name="my_sittings"),
]

# The console's actions, one view each (after the candidates' routes: an invigilator's click is not the spike).
ROOM = "sittings/<id:sitting_id>/rooms/<id:room_id>"
urlpatterns += [
    path(f"{ROOM}/open/", console.room_open, name="room_open"),
    path(f"{ROOM}/new-code/", console.room_new_code, name="room_new_code"),
    path(f"{ROOM}/pause/", console.room_pause, name="room_pause"),
    path(f"{ROOM}/resume/", console.room_resume, name="room_resume"),
    path(f"{ROOM}/extend/", console.room_extend, name="room_extend"),
    path(f"{ROOM}/admit/", console.room_admit, name="room_admit"),
    path(f"{ROOM}/release/", console.room_release, name="room_release"),
    path(f"{ROOM}/penalty/", console.room_penalty, name="room_penalty"),
    path(f"{ROOM}/incident/", console.room_incident, name="room_incident"),
    path(f"{ROOM}/unlock-login/", console.room_unlock_login, name="room_unlock_login"),
]

urlpatterns += [
    path("banks/", banks.bank_list, name="bank_list"),
    path("banks/template.xlsx", banks.question_template, name="question_template"),
    path("banks/<id:pk>/", banks.bank_detail, name="bank_detail"),
    path("banks/<id:pk>/bulk/", banks.bank_bulk, name="bank_bulk"),
    path("banks/<id:pk>/authors/", banks.bank_authors, name="bank_authors"),
    path("banks/<id:pk>/training/", banks.bank_training, name="bank_training"),
    path("banks/<id:pk>/retire-legal-basis/", banks.bank_retire_legal_basis, name="bank_retire_legal_basis"),
    path("banks/<id:pk>/export.xlsx", banks.bank_export, name="bank_export"),
    path("banks/<id:pk>/import/", banks.bank_import, name="bank_import"),
    path("banks/<id:bank_pk>/questions/new/", questions.question_new, name="question_new"),
    path("banks/<id:bank_pk>/questions/preview/", questions.question_preview, name="question_preview"),
    path("banks/<id:bank_pk>/blueprints/", papers.blueprint_list, name="blueprint_list"),
    path("questions/<id:pk>/", questions.question_detail, name="question_detail"),
    path("questions/<id:pk>/edit/", questions.question_edit, name="question_edit"),
    path("questions/<id:pk>/approve/", questions.question_approve_view, name="question_approve"),
    path("questions/images/", questions.image_upload, name="question_image_upload"),
    path("media/question-images/<str:name>", questions.question_image, name="question_image"),
    path("blueprints/<id:pk>/", papers.blueprint_detail, name="blueprint_detail"),
    path("blueprints/<id:blueprint_pk>/papers/", papers.paper_set_create, name="paper_set_create"),
    path("paper-sets/<id:pk>/", papers.paper_set_detail, name="paper_set_detail"),
    path("paper-sets/<id:pk>/seal/", papers.paper_set_seal_view, name="paper_set_seal"),
    path("paper-sets/<id:pk>/delete/", papers.paper_set_delete_view, name="paper_set_delete"),
    path("papers/<id:pk>/", papers.paper_preview, name="paper_preview"),
    path("papers/<id:pk>/paper.pdf", papers.paper_pdf_view, name="paper_pdf"),
    path("papers/<id:pk>/answer-key.pdf", papers.paper_pdf_view, {"key": True}, name="paper_key_pdf"),
]

urlpatterns += [
    path("exams/", sessions.exam_list, name="exam_list"),
    path("exams/<id:pk>/", sessions.exam_detail, name="exam_detail"),
    path("exams/<id:pk>/edit/", sessions.exam_edit, name="exam_edit"),
    path("exams/<id:pk>/quotas/", quotas.exam_quotas, name="exam_quotas"),
    path("exams/<id:pk>/transition/", sessions.exam_transition_view, name="exam_transition"),
    path("exams/<id:pk>/council/", sessions.council_add_view, name="exam_council_add"),
    path("exams/<id:pk>/rooms/", sessions.room_add, name="exam_room_add"),
    path("exams/<id:pk>/sittings/", sessions.sitting_add, name="exam_sitting_add"),
    path("sittings/<id:pk>/", sessions.sitting_detail, name="sitting_detail"),
    path("sittings/<id:pk>/papers/", sessions.sitting_papers, name="sitting_papers"),
    path("sittings/<id:pk>/edit/", parts.sitting_edit, name="sitting_edit"),
    path("sittings/<id:pk>/remove/", parts.sitting_remove, name="sitting_remove"),
    path("rooms/<id:pk>/edit/", parts.room_edit, name="room_edit"),
    path("rooms/<id:pk>/remove/", parts.room_remove, name="room_remove"),
    path("council/<id:pk>/remove/", parts.council_remove, name="council_remove"),
    path("invigilators/<id:pk>/edit/", parts.invigilator_edit, name="invigilator_edit"),
    path("invigilators/<id:pk>/remove/", parts.invigilator_remove, name="invigilator_remove"),
    path("registrations/<id:pk>/edit/", parts.registration_edit, name="registration_edit"),
    path("registrations/<id:pk>/withdraw/", parts.registration_withdraw, name="registration_withdraw"),
    path("exams/<id:pk>/invigilators/", sessions.invigilator_add, name="exam_invigilator_add"),
    path("exams/<id:pk>/candidates/", sessions.candidates, name="exam_candidates"),
    path("exams/<id:pk>/candidates/template.xlsx", sessions.candidate_template, name="exam_candidate_template"),
    path("exams/<id:pk>/candidates/renumber/", sessions.candidates_renumber, name="exam_renumber"),
    path("exams/<id:pk>/candidates/allocate/", sessions.rooms_allocate_view, name="exam_allocate"),
    path("exams/<id:pk>/call-in.xlsx", sessions.export_call_in, name="exam_export_call_in"),
    path("exams/<id:pk>/candidates.xlsx", sessions.export_candidates, name="exam_export_candidates"),
    path("exams/<id:pk>/exemptions.xlsx", sessions.export_exemptions, name="exam_export_exemptions"),
    path("exams/<id:pk>/login-slips.xlsx", sessions.export_login_slips, name="exam_export_login_slips"),
    path("subjects/<id:pk>/edit/", sessions.subject_edit, name="subject_edit"),
    path("registrations/<id:pk>/room/", sessions.registration_room, name="registration_room"),
    path("exam-login/", candidate.exam_login, name="exam_login"),
    path("my-exams/", candidate.my_exams, name="my_exams"),
]


urlpatterns += [
    path("exams/<id:pk>/results/", results.results, name="exam_results"),
    path("exams/<id:pk>/results/compute/", results.results_compute, name="exam_results_compute"),
    path("exams/<id:pk>/results/ties/", results.results_tie, name="exam_results_tie"),
    path("exams/<id:pk>/results/approve/", results.results_approve, name="exam_results_approve"),
    path("exams/<id:pk>/results/publish/", results.results_publish, name="exam_results_publish"),
    path("exams/<id:pk>/results/versions/", results.results_versions, name="exam_results_versions"),
    path("exams/<id:pk>/results/versions/<id:number>/compare/", results.results_compare,
         name="exam_results_compare"),
    path("exams/<id:pk>/results/annex-<str:list_kind>.xlsx", results.results_annex, name="exam_results_annex"),
    path("exams/<id:pk>/results/decision.docx", results.results_decision, name="exam_results_decision"),
    path("exams/<id:pk>/scores/import/", results.scores_import, name="exam_scores_import"),
    path("exams/<id:pk>/scores/template.xlsx", results.scores_template, name="exam_scores_template"),
    path("results/<id:pk>/notice.pdf", results.result_notice, name="result_notice"),
    path("my-exams/<id:pk>/result/", candidate.my_result, name="my_result"),
    path("my-exams/<id:pk>/result/notice.pdf", candidate.my_result_notice, name="my_result_notice"),
]

urlpatterns += [
    path("exams/<id:pk>/statistics/", statistics.statistics, name="exam_statistics"),
    path("exams/<id:pk>/statistics.xlsx", statistics.statistics_xlsx, name="exam_statistics_xlsx"),
    path("questions/<id:pk>/review/resolve/", questions.question_review_resolve, name="question_review_resolve"),
]

# Written subjects (issue 7): a marker's URLs are keyed by their marking only, never by the candidate.
urlpatterns += [
    path("marking/", marking.marking_queue, name="marking_queue"),
    path("markings/<id:pk>/", marking.marking_page, name="marking_page"),
    path("markings/<id:pk>/scans/<id:scan_pk>/", marking.marking_scan, name="marking_scan"),
    path("subjects/<id:pk>/scripts/", marking.subject_scripts, name="subject_scripts"),
    path("subjects/<id:pk>/scripts/anonymise/", marking.subject_anonymise, name="subject_anonymise"),
    path("subjects/<id:pk>/scripts/upload/<id:registration_pk>/", marking.subject_scan_upload,
         name="subject_scan_upload"),
    path("subjects/<id:pk>/scripts/mapping/", marking.subject_mapping, name="subject_mapping"),
    path("subjects/<id:pk>/scripts/deanonymise/", marking.subject_deanonymise, name="subject_deanonymise"),
    path("subjects/<id:pk>/scans/<id:scan_pk>/", marking.subject_scan, name="subject_scan"),
    path("subjects/<id:pk>/marking/", marking.marking_dashboard, name="marking_dashboard"),
    path("subjects/<id:pk>/marking/assign/", marking.marking_assign, name="marking_assign"),
    path("exams/<id:pk>/appeals/", marking.appeals_list, name="appeals_list"),
    path("appeals/<id:pk>/assign/", marking.appeal_assign, name="appeal_assign"),
    path("my-exams/<id:pk>/result/appeal/", candidate.my_result_appeal, name="my_result_appeal"),
]
