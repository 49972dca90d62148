import shutil
import subprocess
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditLog
from exams.banks.services import topic_get_or_create
from exams.models import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet
from exams.papers.services import (
    blueprint_check,
    paper_set_delete,
    paper_set_generate,
    paper_set_seal,
    paper_set_verify,
)


@pytest.fixture
def stocked(bank, make_question, reviewer):
    """Two topics × (easy, hard), 6 approved questions per cell, one with keep_choice_order."""
    for topic in ("Một cửa", "Dịch vụ công"):
        for difficulty in ("easy", "hard"):
            for n in range(6):
                make_question(f"{topic} {difficulty} {n}", topic=topic, difficulty=difficulty, approve_by=reviewer,
                              keep_choice_order=(n == 0))
    make_question("Nháp chưa duyệt", topic="Một cửa", difficulty="easy")  # never drawn
    blueprint = Blueprint.objects.create(bank=bank, name="KTC", scale=Decimal("100"))
    for topic, difficulty, count, points in (("Một cửa", "easy", 3, "2"), ("Một cửa", "hard", 2, "3"),
                                             ("Dịch vụ công", "easy", 4, "2"), ("Dịch vụ công", "hard", 1, "4")):
        BlueprintRow.objects.create(blueprint=blueprint, topic=topic_get_or_create(bank=bank, name=topic),
                                    difficulty=difficulty, count=count, points=Decimal(points))
    return blueprint


def layout(paper_set: PaperSet):
    return [(p.code, p.candidate_ref, [(i.question_id, tuple(i.choice_order), i.points) for i in p.items.all()])
            for p in paper_set.papers.prefetch_related("items")]


@pytest.mark.django_db
class TestGeneration:
    def test_the_same_seed_draws_the_same_papers_and_another_seed_does_not(self, stocked, author):
        refs = [f"CV{n:04d}" for n in range(1, 6)]
        first = paper_set_generate(blueprint=stocked, name="A", seed="2026-ca1", candidate_refs=refs, variants=None,
                                   actor=author)
        again = paper_set_generate(blueprint=stocked, name="B", seed="2026-ca1", candidate_refs=refs, variants=None,
                                   actor=author)
        other = paper_set_generate(blueprint=stocked, name="C", seed="2026-ca2", candidate_refs=refs, variants=None,
                                   actor=author)
        assert layout(first) == layout(again)
        assert layout(first) != layout(other)
        papers = layout(first)
        assert len({tuple(p[2]) for p in papers}) == 5  # every candidate has a paper of their own

    def test_each_paper_is_true_to_the_blueprint(self, stocked, author):
        paper_set = paper_set_generate(blueprint=stocked, name="A", seed="x", candidate_refs=["1", "2", "3"],
                                       variants=None, actor=author)
        for paper in paper_set.papers.all():
            items = list(paper.items.select_related("question__topic").prefetch_related("question__choices"))
            cells = Counter((i.question.topic.name, i.question.difficulty) for i in items)
            assert cells == {("Một cửa", "easy"): 3, ("Một cửa", "hard"): 2, ("Dịch vụ công", "easy"): 4,
                             ("Dịch vụ công", "hard"): 1}
            assert all(i.question.status == "approved" for i in items)
            assert len({i.question_id for i in items}) == 10
            assert paper.total_points == sum(i.points for i in items) == Decimal("24")
            for item in items:
                original = [c.pk for c in item.question.choices.all()]
                assert sorted(item.choice_order) == sorted(original)
                if item.question.keep_choice_order:
                    assert item.choice_order == original

    def test_choice_order_is_shuffled_for_ordinary_questions(self, stocked, author):
        paper_set = paper_set_generate(blueprint=stocked, name="A", seed="x", candidate_refs=[str(n) for n in range(8)],
                                       variants=None, actor=author)
        shuffled = [i for i in PaperItem.objects.filter(paper__paper_set=paper_set).select_related("question")
                    if not i.question.keep_choice_order
                    and i.choice_order != sorted(i.choice_order)]
        assert shuffled  # with 4 choices, 8 papers × ~8 items cannot all stay in order by chance

    def test_exam_codes_are_handed_out_in_turn(self, stocked, author):
        paper_set = paper_set_generate(blueprint=stocked, name="A", seed="x",
                                       candidate_refs=[f"CV{n}" for n in range(7)], variants=3, actor=author)
        papers = layout(paper_set)
        assert [p[0] for p in papers] == ["001", "002", "003", "001", "002", "003", "001"]
        assert papers[0][2] == papers[3][2] == papers[6][2] and papers[0][2] != papers[1][2]

    def test_a_shortfall_names_the_cell_and_how_many_are_missing(self, stocked, author):
        row = stocked.rows.get(difficulty="hard", topic__name="Dịch vụ công")
        row.count = 9
        row.save()
        shortfalls = blueprint_check(blueprint=stocked)
        assert [(s.row.pk, s.available, s.missing) for s in shortfalls] == [(row.pk, 6, 3)]
        with pytest.raises(ValidationError):
            paper_set_generate(blueprint=stocked, name="A", seed="x", candidate_refs=["1"], variants=None, actor=author)
        assert not PaperSet.objects.exists()

    def test_the_queries_do_not_grow_with_the_paper_size(self, stocked, author):
        def queries_for(count: int) -> int:
            BlueprintRow.objects.filter(blueprint=stocked, difficulty="easy").update(count=count)
            with CaptureQueriesContext(connection) as ctx:
                paper_set_generate(blueprint=stocked, name=f"N{count}", seed="x", candidate_refs=["1", "2"],
                                   variants=None, actor=author)
            return len(ctx)

        assert queries_for(1) == queries_for(6)


@pytest.mark.django_db
class TestSealing:
    def test_sealing_records_the_hash_and_the_set_then_cannot_change(self, stocked, author):
        paper_set = paper_set_generate(blueprint=stocked, name="A", seed="x", candidate_refs=["1", "2"], variants=None,
                                       actor=author)
        sealed = paper_set_seal(paper_set=paper_set, actor=author)
        assert len(sealed.seal_hash) == 64 and paper_set_verify(paper_set=sealed)
        record = AuditLog.objects.get(action="paperset.seal")
        assert record.details["sha256"] == sealed.seal_hash
        with pytest.raises(ValidationError):
            paper_set_seal(paper_set=sealed, actor=author)
        with pytest.raises(ValidationError):
            paper_set_delete(paper_set=sealed, actor=author)
        item = PaperItem.objects.filter(paper__paper_set=sealed).first()
        for change in (
            lambda: PaperItem.objects.filter(pk=item.pk).update(choice_order=[1, 2]),
            lambda: PaperItem.objects.filter(pk=item.pk).delete(),
            lambda: Paper.objects.filter(paper_set=sealed).update(candidate_ref="khác"),
            lambda: PaperItem.objects.create(paper=item.paper, position=99, question=item.question, points=1),
            lambda: Paper.objects.create(paper_set=sealed, candidate_ref="3", code="X", position=99, total_points=1),
            lambda: Paper.objects.filter(paper_set=sealed, candidate_ref="2").delete(),
            lambda: PaperSet.objects.filter(pk=sealed.pk).update(seal_hash="0" * 64),
            lambda: sealed.delete(),
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                change()
        assert paper_set_verify(paper_set=PaperSet.objects.get(pk=sealed.pk))

    def test_an_unsealed_set_can_be_thrown_away(self, stocked, author):
        paper_set = paper_set_generate(blueprint=stocked, name="A", seed="x", candidate_refs=["1"], variants=None,
                                       actor=author)
        paper_set_delete(paper_set=paper_set, actor=author)
        assert not PaperSet.objects.exists() and not PaperItem.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing: apt-get install -y poppler-utils")
@pytest.mark.django_db
def test_a_paper_and_its_key_render_as_pdf_with_vietnamese_text(client, stocked, author, tmp_path):
    paper_set = paper_set_generate(blueprint=stocked, name="A", seed="x", candidate_refs=["CV0001"], variants=None,
                                   actor=author)
    paper = paper_set.papers.get()
    client.force_login(author)
    for name, needle in (("paper_pdf", "Một cửa easy"), ("paper_key_pdf", "ĐÁP ÁN")):
        from django.urls import reverse

        response = client.get(reverse(name, args=[paper.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert needle in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text

