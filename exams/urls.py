from django.urls import path

from exams.views import banks, examday, marking, papers, questions, quotas, results, sessions, statistics

# Exam day first: a request is matched against the patterns in order, and every pattern it passes on the way
# costs a match and an entry in the resolver's record of what it tried (garbage for the collector). These are
# the routes of the start spike and of every save over HTTP.
urlpatterns = [
    path("sittings/<int:sitting_id>/enter/", examday.sitting_enter, name="sitting_enter"),
    path("sittings/<int:sitting_id>/rooms/<int:room_id>/console/", examday.console, name="room_console"),
    path("sittings/<int:sitting_id>/rooms/<int:room_id>/action/", examday.console_action, name="room_action"),
    path("sittings/<int:sitting_id>/extend/", examday.sitting_extend, name="sitting_extend"),
    path("attempts/<int:pk>/", examday.attempt_page, name="attempt_page"),
    path("attempts/<int:pk>/save/", examday.attempt_save_http, name="attempt_save"),
    path("attempts/<int:pk>/flag/", examday.attempt_flag_http, name="attempt_flag"),
    path("attempts/<int:pk>/state/", examday.attempt_state, name="attempt_state"),
    path("attempts/<int:pk>/submit/", examday.attempt_submit, name="attempt_submit"),
    path("attempts/<int:pk>/result/", examday.attempt_result, name="attempt_result"),
    path("attempts/<int:pk>/timeline.csv", examday.attempt_timeline, name="attempt_timeline"),
    path("room-sessions/<int:pk>/record/", examday.room_record, name="room_record"),
    path("invigilation/", examday.my_sittings, name="my_sittings"),
]

urlpatterns += [
    path("banks/", banks.bank_list, name="bank_list"),
    path("banks/template.xlsx", banks.question_template, name="question_template"),
    path("banks/<int:pk>/", banks.bank_detail, name="bank_detail"),
    path("banks/<int:pk>/bulk/", banks.bank_bulk, name="bank_bulk"),
    path("banks/<int:pk>/authors/", banks.bank_authors, name="bank_authors"),
    path("banks/<int:pk>/retire-legal-basis/", banks.bank_retire_legal_basis, name="bank_retire_legal_basis"),
    path("banks/<int:pk>/export.xlsx", banks.bank_export, name="bank_export"),
    path("banks/<int:pk>/import/", banks.bank_import, name="bank_import"),
    path("banks/<int:bank_pk>/questions/new/", questions.question_new, name="question_new"),
    path("banks/<int:bank_pk>/questions/preview/", questions.question_preview, name="question_preview"),
    path("banks/<int:bank_pk>/blueprints/", papers.blueprint_list, name="blueprint_list"),
    path("questions/<int:pk>/", questions.question_detail, name="question_detail"),
    path("questions/<int:pk>/edit/", questions.question_edit, name="question_edit"),
    path("questions/<int:pk>/approve/", questions.question_approve_view, name="question_approve"),
    path("questions/images/", questions.image_upload, name="question_image_upload"),
    path("media/question-images/<str:name>", questions.question_image, name="question_image"),
    path("blueprints/<int:pk>/", papers.blueprint_detail, name="blueprint_detail"),
    path("blueprints/<int:blueprint_pk>/papers/", papers.paper_set_create, name="paper_set_create"),
    path("paper-sets/<int:pk>/", papers.paper_set_detail, name="paper_set_detail"),
    path("paper-sets/<int:pk>/seal/", papers.paper_set_seal_view, name="paper_set_seal"),
    path("paper-sets/<int:pk>/delete/", papers.paper_set_delete_view, name="paper_set_delete"),
    path("papers/<int:pk>/", papers.paper_preview, name="paper_preview"),
    path("papers/<int:pk>/paper.pdf", papers.paper_pdf_view, name="paper_pdf"),
    path("papers/<int:pk>/answer-key.pdf", papers.paper_pdf_view, {"key": True}, name="paper_key_pdf"),
]

urlpatterns += [
    path("exams/", sessions.exam_list, name="exam_list"),
    path("exams/<int:pk>/", sessions.exam_detail, name="exam_detail"),
    path("exams/<int:pk>/edit/", sessions.exam_edit, name="exam_edit"),
    path("exams/<int:pk>/quotas/", quotas.exam_quotas, name="exam_quotas"),
    path("exams/<int:pk>/transition/", sessions.exam_transition_view, name="exam_transition"),
    path("exams/<int:pk>/council/", sessions.council_add_view, name="exam_council_add"),
    path("exams/<int:pk>/rooms/", sessions.room_add, name="exam_room_add"),
    path("exams/<int:pk>/sittings/", sessions.sitting_add, name="exam_sitting_add"),
    path("exams/<int:pk>/invigilators/", sessions.invigilator_add, name="exam_invigilator_add"),
    path("exams/<int:pk>/candidates/", sessions.candidates, name="exam_candidates"),
    path("exams/<int:pk>/candidates/renumber/", sessions.candidates_renumber, name="exam_renumber"),
    path("exams/<int:pk>/candidates/allocate/", sessions.rooms_allocate_view, name="exam_allocate"),
    path("exams/<int:pk>/call-in.xlsx", sessions.export_call_in, name="exam_export_call_in"),
    path("exams/<int:pk>/candidates.xlsx", sessions.export_candidates, name="exam_export_candidates"),
    path("exams/<int:pk>/exemptions.xlsx", sessions.export_exemptions, name="exam_export_exemptions"),
    path("exams/<int:pk>/login-slips.xlsx", sessions.export_login_slips, name="exam_export_login_slips"),
    path("subjects/<int:pk>/edit/", sessions.subject_edit, name="subject_edit"),
    path("registrations/<int:pk>/room/", sessions.registration_room, name="registration_room"),
    path("exam-login/", sessions.exam_login, name="exam_login"),
    path("my-exams/", sessions.my_exams, name="my_exams"),
]


urlpatterns += [
    path("exams/<int:pk>/results/", results.results, name="exam_results"),
    path("exams/<int:pk>/results/compute/", results.results_compute, name="exam_results_compute"),
    path("exams/<int:pk>/results/ties/", results.results_tie, name="exam_results_tie"),
    path("exams/<int:pk>/results/approve/", results.results_approve, name="exam_results_approve"),
    path("exams/<int:pk>/results/publish/", results.results_publish, name="exam_results_publish"),
    path("exams/<int:pk>/results/versions/", results.results_versions, name="exam_results_versions"),
    path("exams/<int:pk>/results/versions/<int:number>/compare/", results.results_compare,
         name="exam_results_compare"),
    path("exams/<int:pk>/results/annex-<str:list_kind>.xlsx", results.results_annex, name="exam_results_annex"),
    path("exams/<int:pk>/results/decision.docx", results.results_decision, name="exam_results_decision"),
    path("exams/<int:pk>/scores/import/", results.scores_import, name="exam_scores_import"),
    path("exams/<int:pk>/scores/template.xlsx", results.scores_template, name="exam_scores_template"),
    path("results/<int:pk>/notice.pdf", results.result_notice, name="result_notice"),
    path("my-exams/<int:pk>/result/", results.my_result, name="my_result"),
    path("my-exams/<int:pk>/result/notice.pdf", results.my_result_notice, name="my_result_notice"),
]

urlpatterns += [
    path("exams/<int:pk>/statistics/", statistics.statistics, name="exam_statistics"),
    path("exams/<int:pk>/statistics.xlsx", statistics.statistics_xlsx, name="exam_statistics_xlsx"),
    path("questions/<int:pk>/review/resolve/", questions.question_review_resolve, name="question_review_resolve"),
]

# Written subjects (issue 7): a marker's URLs are keyed by their marking only, never by the candidate.
urlpatterns += [
    path("marking/", marking.marking_queue, name="marking_queue"),
    path("markings/<int:pk>/", marking.marking_page, name="marking_page"),
    path("markings/<int:pk>/scans/<int:scan_pk>/", marking.marking_scan, name="marking_scan"),
    path("subjects/<int:pk>/scripts/", marking.subject_scripts, name="subject_scripts"),
    path("subjects/<int:pk>/scripts/anonymise/", marking.subject_anonymise, name="subject_anonymise"),
    path("subjects/<int:pk>/scripts/upload/<int:registration_pk>/", marking.subject_scan_upload,
         name="subject_scan_upload"),
    path("subjects/<int:pk>/scripts/mapping/", marking.subject_mapping, name="subject_mapping"),
    path("subjects/<int:pk>/scripts/deanonymise/", marking.subject_deanonymise, name="subject_deanonymise"),
    path("subjects/<int:pk>/scans/<int:scan_pk>/", marking.subject_scan, name="subject_scan"),
    path("subjects/<int:pk>/marking/", marking.marking_dashboard, name="marking_dashboard"),
    path("subjects/<int:pk>/marking/assign/", marking.marking_assign, name="marking_assign"),
    path("exams/<int:pk>/appeals/", marking.appeals_list, name="appeals_list"),
    path("appeals/<int:pk>/assign/", marking.appeal_assign, name="appeal_assign"),
    path("my-exams/<int:pk>/result/appeal/", marking.my_result_appeal, name="my_result_appeal"),
]
