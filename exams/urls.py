from django.urls import path

from exams.views import banks, papers, questions

urlpatterns = [
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
