import io
from contextlib import redirect_stdout

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditLog
from exams.banks.services import (
    question_approve,
    question_update,
    questions_move,
    questions_retire_by_legal_basis,
    topic_get_or_create,
)
from exams.models import Question
from exams.papers.services import paper_set_generate
from tests.exams.conftest import single


@pytest.mark.django_db
class TestFourEyes:
    def test_the_writer_cannot_approve_their_own_question(self, make_question, author, reviewer):
        question = make_question("Ai ký phiếu hẹn?")
        with pytest.raises(PermissionDenied):
            question_approve(question=question, actor=author)
        assert Question.objects.get(pk=question.pk).status == "draft"
        question_approve(question=question, actor=reviewer)
        question.refresh_from_db()
        assert (question.status, question.approved_by) == ("approved", reviewer)

    def test_the_database_refuses_an_approval_by_the_author(self, make_question, author):
        question = make_question("Câu hỏi")
        with pytest.raises(IntegrityError), transaction.atomic():
            Question.objects.filter(pk=question.pk).update(status="approved", approved_by=author)

    def test_the_command_approves_others_drafts_and_lists_what_it_skipped(self, bank, make_question, author,
                                                                          reviewer):
        mine = make_question("Viết bởi author")
        theirs = question_update(question=make_question("Sẽ sửa bởi reviewer"), topic=mine.topic,
                                 parsed=single("Sửa bởi reviewer"), actor=reviewer)
        out = io.StringIO()
        with redirect_stdout(out):
            call_command("approve_questions", "--bank", str(bank.pk), "--as", "reviewer", stdout=out)
        lines = out.getvalue().strip().splitlines()
        assert lines[-1] == "approved=1 skipped=1"
        assert f"#{theirs.pk}" in lines[0]
        assert Question.objects.get(pk=mine.pk).status == "approved"
        assert Question.objects.get(pk=theirs.pk).status == "draft"

    def test_an_unknown_bank_exits_1(self, reviewer):
        from django.core.management import CommandError

        with pytest.raises(CommandError) as caught:
            call_command("approve_questions", "--bank", "999", "--as", "reviewer")
        assert caught.value.returncode == 1


@pytest.mark.django_db
class TestVersioning:
    def test_editing_an_unused_question_changes_it_in_place_and_needs_approval_again(self, make_question, reviewer):
        question = make_question("Bản đầu", approve_by=reviewer)
        edited = question_update(question=question, topic=question.topic, parsed=single("Bản sửa"), actor=reviewer)
        assert edited.pk == question.pk and edited.version == 1
        assert (edited.text, edited.status, edited.author) == ("Bản sửa", "draft", reviewer)

    def test_a_question_used_in_a_paper_is_frozen_and_an_edit_makes_a_new_version(self, bank, make_question,
                                                                                   author, reviewer):
        from exams.models import Blueprint, BlueprintRow

        question = make_question("Câu đã dùng", approve_by=reviewer)
        blueprint = Blueprint.objects.create(bank=bank, name="BP", scale=10)
        BlueprintRow.objects.create(blueprint=blueprint, topic=question.topic, difficulty="medium", count=1)
        paper_set = paper_set_generate(blueprint=blueprint, name="Ca 1", seed="s", candidate_refs=["CV0001"],
                                       variants=None, actor=author)
        question.refresh_from_db()
        assert question.frozen
        new = question_update(question=question, topic=question.topic, parsed=single("Câu đã sửa"), actor=author)
        question.refresh_from_db()
        assert new.pk != question.pk and (new.version, new.lineage_id) == (2, question.pk)
        assert not question.is_current and question.text == "Câu đã dùng"  # the old version is untouched
        item = paper_set.papers.get().items.get()
        assert item.question_id == question.pk  # the paper keeps the version it drew
        assert new.status == "draft" and AuditLog.objects.filter(action="question.new_version").exists()

    def test_history_lists_every_version(self, client, bank, make_question, author, reviewer):
        question = make_question("v1")
        Question.objects.filter(pk=question.pk).update(frozen=True)
        new = question_update(question=Question.objects.get(pk=question.pk), topic=question.topic,
                              parsed=single("v2"), actor=author)
        client.force_login(reviewer)
        response = client.get(reverse("question_detail", args=[new.pk]))
        assert [v.version for v in response.context["history"]] == [2, 1]


@pytest.mark.django_db
class TestRetireAndMove:
    def test_every_question_on_a_legal_basis_is_retired_in_one_action(self, bank, make_question, author):
        a = make_question("A", legal_basis="Nghị định 63/2010/NĐ-CP")
        b = make_question("B", legal_basis="nghị định  63/2010/nđ-cp")
        c = make_question("C", legal_basis="Nghị định 61/2018/NĐ-CP")
        d = make_question("D", legal_basis="Nghị định 61/2018/NĐ-CP; Nghị định 63/2010/NĐ-CP")
        e = make_question("E", legal_basis="Nghị định 63/2010/NĐ-CP-sửa-đổi")  # another document
        assert questions_retire_by_legal_basis(bank=bank, legal_basis="Nghị định 63/2010/NĐ-CP", actor=author) == 3
        statuses = dict(Question.objects.values_list("pk", "status"))
        assert [statuses[x.pk] for x in (a, b, c, d, e)] == ["retired", "retired", "draft", "retired", "draft"]

    def test_questions_move_only_within_their_bank(self, bank, make_question, author):
        question = make_question("Câu")
        target = topic_get_or_create(bank=bank, name="Chủ đề khác")
        assert questions_move(questions=[question], topic=target, actor=author) == 1
        assert Question.objects.get(pk=question.pk).topic == target


IMG = "0123456789abcdef0123456789abcdef"  # an upload's name


@pytest.mark.django_db
class TestSanitising:
    def test_question_html_keeps_formatting_and_drops_scripts_and_foreign_images(self, make_question):
        question = make_question(
            '<p onclick="x()">Điều <strong>7</strong><script>alert(1)</script>'
            f'<img src="https://tracker.example/p.png"><img src="/media/question-images/{IMG}.png" onerror="y()"></p>')
        assert "<script" not in question.text and "onclick" not in question.text and "onerror" not in question.text
        assert "<strong>7</strong>" in question.text and f'src="/media/question-images/{IMG}.png"' in question.text
        assert "tracker.example" not in question.text

    @pytest.mark.parametrize("src", ["/media/question-images/../../accounts/logout/", "/media/question-images/a.png",
                                     f"/media/question-images/{IMG}.png?x=1", f"/media/question-images/{IMG}.svg",
                                     f"/media/question-images/{IMG}.png/../x"])
    def test_an_image_is_kept_only_in_the_exact_form_of_an_upload(self, make_question, src):
        question = make_question(f'<p>Hình: <img src="{src}"></p>')
        assert "src=" not in question.text

    def test_image_sizes_are_clamped_and_non_numbers_dropped(self, make_question):
        question = make_question(f'<p><img src="/media/question-images/{IMG}.png" width="999999" height="12px"></p>')
        assert 'width="2000"' in question.text and "height" not in question.text


@pytest.mark.parametrize(("kind", "text"), [("single", "<p>Câu &amp; hỏi  <b>X</b></p>"), ("multiple", "Câu\u00a0hỏi")])
def test_the_key_migration_stores_what_the_import_compares(kind, text):
    """Migration 0009 recomputed the stored keys; a change of duplicate_key needs a migration of its own."""
    import importlib

    from exams.banks.importing.validate import duplicate_key

    migration = importlib.import_module("exams.migrations.0009_question_dedup_key_with_kind")
    assert migration._key(kind, text) == duplicate_key(kind=kind, text=text)
