import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import AuditLog
from exams.models import Question
from tests.exams.test_import_questions import q, sheet

FORM = {"topic": "", "new_topic": "Một cửa", "kind": "single", "text": "Ai ký <em>phiếu hẹn</em>?",
        "option_A": "Cán bộ Bộ phận Một cửa", "option_B": "Văn thư", "correct": ["A"], "scoring": "all_or_nothing",
        "difficulty": "medium", "level": "recognition", "legal_basis": "Nghị định 61/2018/NĐ-CP", "explanation": ""}


@pytest.mark.django_db
class TestQuestionEditor:
    def test_an_author_creates_a_draft_and_another_approves_it(self, client, bank, author, reviewer):
        client.force_login(author)
        response = client.post(reverse("question_new", args=[bank.pk]), FORM)
        question = Question.objects.get()
        assert response.status_code == 302 and (question.status, question.author) == ("draft", author)
        assert [c.is_correct for c in question.choices.all()] == [True, False]
        page = client.get(reverse("question_detail", args=[question.pk]))
        assert not page.context["can_approve"]  # never one's own question
        client.force_login(reviewer)
        assert client.get(reverse("question_detail", args=[question.pk])).context["can_approve"]
        client.post(reverse("question_approve", args=[question.pk]))
        assert Question.objects.get().status == "approved"

    def test_a_bad_question_shows_the_rule_and_saves_nothing(self, client, bank, author):
        client.force_login(author)
        response = client.post(reverse("question_new", args=[bank.pk]), {**FORM, "correct": ["A", "B"]})
        assert response.status_code == 200 and not Question.objects.exists()
        assert response.context["form"].non_field_errors()

    def test_the_live_preview_is_the_candidates_view_without_the_answer(self, client, bank, author):
        client.force_login(author)
        response = client.post(reverse("question_preview", args=[bank.pk]), {**FORM, "text": "<p>Hỏi<script>x</script></p>"})
        html = response.content.decode()
        assert response.status_code == 200 and "Cán bộ Bộ phận Một cửa" in html and 'type="radio"' in html
        assert "<script" not in html and "correct" not in html.lower()
        assert [t.name for t in response.templates][0] == "exams/_candidate_item.html"

    def test_images_are_checked_for_size_and_type(self, client, author, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client.force_login(author)
        png = io.BytesIO()
        Image.new("RGB", (20, 10), "red").save(png, format="PNG")
        png.name = "hinh.png"
        png.seek(0)
        response = client.post(reverse("question_image_upload"), {"image": png})
        url = response.json()["url"]
        assert url.startswith("/media/question-images/") and url.endswith(".png")
        assert client.get(url).status_code == 200
        fake = io.BytesIO(b"<svg onload=alert(1)>")
        fake.name = "x.png"
        assert client.post(reverse("question_image_upload"), {"image": fake}).status_code == 400
        big = io.BytesIO(b"\\x89PNG" + b"0" * (2 * 1024 * 1024 + 1))
        big.name = "big.png"
        assert client.post(reverse("question_image_upload"), {"image": big}).status_code == 400
        assert len(list((tmp_path / "question-images").iterdir())) == 1


@pytest.mark.django_db
class TestBankPages:
    def test_the_import_page_checks_then_confirms(self, client, bank, author):
        client.force_login(author)
        bad = io.BytesIO(sheet([q("Câu 1", **{"Đáp án": "Z"})]))
        bad.name = "bad.xlsx"
        response = client.post(reverse("bank_import", args=[bank.pk]), {"action": "check", "file": bad,
                                                                         "format": "excel", "topic": "Chung"})
        assert "Dòng 2, cột «Đáp án»" in response.content.decode() and "token" not in response.context
        good = io.BytesIO(sheet([q("Câu 1"), q("Câu 2")]))
        good.name = "good.xlsx"
        response = client.post(reverse("bank_import", args=[bank.pk]), {"action": "check", "file": good,
                                                                         "format": "excel", "topic": "Chung"})
        assert response.context["result"].created == 2 and not Question.objects.exists()
        client.post(reverse("bank_import", args=[bank.pk]), {"action": "confirm", "token": response.context["token"]})
        assert Question.objects.filter(bank=bank, imported=True, author=author).count() == 2

    def test_accent_insensitive_search_and_filters(self, client, bank, make_question, author):
        make_question("Thủ tục hành chính được công khai ở đâu?", legal_basis="Nghị định 63/2010/NĐ-CP")
        make_question("Bộ phận Một cửa đặt ở đâu?", difficulty="hard")
        client.force_login(author)
        found = client.get(reverse("bank_detail", args=[bank.pk]), {"q": "thu tuc hanh chinh"}).context["page"]
        assert [x.text for x in found] == ["Thủ tục hành chính được công khai ở đâu?"]
        found = client.get(reverse("bank_detail", args=[bank.pk]), {"difficulty": "hard"}).context["page"]
        assert [x.text for x in found] == ["Bộ phận Một cửa đặt ở đâu?"]
        found = client.get(reverse("bank_detail", args=[bank.pk]),
                           {"legal_basis": "Nghị định 63/2010/NĐ-CP"}).context["page"]
        assert len(found) == 1

    def test_bulk_approve_skips_ones_own_questions(self, client, bank, make_question, author, reviewer):
        mine = make_question("Của author")
        client.force_login(author)
        client.post(reverse("bank_bulk", args=[bank.pk]), {"action": "approve", "questions": [mine.pk], "read": "on"})
        assert Question.objects.get(pk=mine.pk).status == "draft"
        client.force_login(reviewer)
        client.post(reverse("bank_bulk", args=[bank.pk]), {"action": "approve", "questions": [mine.pk], "read": "on"})
        assert Question.objects.get(pk=mine.pk).status == "approved"
        client.post(reverse("bank_bulk", args=[bank.pk]), {"action": "retire", "questions": [mine.pk]})
        assert Question.objects.get(pk=mine.pk).status == "retired"

    def test_bulk_approval_shows_every_question_in_full_and_approves_only_once_they_are_read(
            self, client, bank, make_question, reviewer):
        drafts = [make_question(f"Câu hỏi số {n} cần đọc") for n in range(3)]
        client.force_login(reviewer)
        asked = client.post(reverse("bank_bulk", args=[bank.pk]),
                            {"action": "approve", "questions": [q.pk for q in drafts]})
        page = asked.content.decode()
        assert asked.status_code == 200 and all(f"Câu hỏi số {n} cần đọc" in page for n in range(3))
        assert not Question.objects.filter(status="approved").exists()
        unread = client.post(reverse("bank_bulk", args=[bank.pk]),
                             {"action": "approve", "questions": [q.pk for q in drafts], "confirmed": "1"})
        assert "Hãy đánh dấu" in unread.content.decode()
        assert not Question.objects.filter(status="approved").exists()
        client.post(reverse("bank_bulk", args=[bank.pk]),
                    {"action": "approve", "questions": [q.pk for q in drafts], "confirmed": "1", "read": "on"})
        assert Question.objects.filter(status="approved").count() == 3
        record = AuditLog.objects.get(action="question.approve_bulk")
        assert sorted(record.details["questions"]) == sorted(q.pk for q in drafts) and record.details["read_in_list"]

    def test_the_question_list_costs_the_same_queries_for_5_or_40_questions(self, client, bank, make_question,
                                                                            author):
        for n in range(5):
            make_question(f"Câu {n}")
        client.force_login(author)
        client.get(reverse("bank_detail", args=[bank.pk]))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("bank_detail", args=[bank.pk]))
        for n in range(35):
            make_question(f"Câu thêm {n}")
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("bank_detail", args=[bank.pk]))
        assert len(response.context["page"].object_list) == 40
        assert len(many) == len(few)

    def test_the_export_costs_the_same_queries_for_5_or_40_questions(self, client, bank, make_question, author):
        for n in range(5):
            make_question(f"Câu {n}")
        client.force_login(author)
        client.get(reverse("bank_export", args=[bank.pk]))  # the author's grants read once, then remembered
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("bank_export", args=[bank.pk]))
        for n in range(35):
            make_question(f"Câu thêm {n}")
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("bank_export", args=[bank.pk]))
        assert len(many) == len(few)


def _upload(name: str, text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


@pytest.mark.django_db
class TestMoodleImports:
    GIFT = "Câu một {=Đúng ~Sai}\n\nGhép cặp {=a -> 1 =b -> 2}\n\nCâu ba {T}\n"

    def test_unsupported_questions_refuse_the_check_until_the_box_is_ticked(self, client, bank, author):
        client.force_login(author)
        url = reverse("bank_import", args=[bank.pk])
        response = client.post(url, {"action": "check", "file": _upload("g.txt", self.GIFT), "format": "gift",
                                     "topic": "Chung"})
        page = response.content.decode()
        assert "Dòng 3: không hỗ trợ câu hỏi ghép nối." in page and 'id="import-unsupported-hint"' in page
        assert "token" not in response.context

        response = client.post(url, {"action": "check", "file": _upload("g.txt", self.GIFT), "format": "gift",
                                     "topic": "Chung", "skip_unsupported": "on"})
        page = response.content.decode()
        assert response.context["result"].created == 2 and not Question.objects.exists()
        assert "Cảnh báo: Dòng 3: bỏ qua câu này: không hỗ trợ câu hỏi ghép nối." in page
        assert 'id="import-unsupported-hint"' not in page
        response = client.post(url, {"action": "confirm", "token": response.context["token"]}, follow=True)
        assert Question.objects.filter(bank=bank, imported=True).count() == 2
        assert "Đã bỏ qua 1 câu hỏi thuộc dạng chưa được hỗ trợ." in response.content.decode()

    def test_an_imported_aiken_question_shows_its_text_as_written(self, client, bank, author):
        client.force_login(author)
        url = reverse("bank_import", args=[bank.pk])
        aiken = 'It includes <html class="cool"> & images\nA)Yes\nB)No\nANSWER: A\n'
        response = client.post(url, {"action": "check", "file": _upload("a.txt", aiken), "format": "aiken",
                                     "topic": "Chung"})
        client.post(url, {"action": "confirm", "token": response.context["token"]})
        question = Question.objects.get()
        page = client.get(reverse("question_detail", args=[question.pk])).content.decode()
        assert 'It includes &lt;html class="cool"&gt; &amp; images' in page
        assert [c.text for c in question.choices.all()] == ["Yes", "No"]

    def test_the_editor_takes_a_multiple_answer_version_of_a_single_choice_text(self, client, bank, author,
                                                                                  make_question):
        make_question("Ai ký phiếu hẹn?")  # single choice
        client.force_login(author)
        form = {**FORM, "text": "Ai ký phiếu hẹn?", "kind": "multiple", "correct": ["A", "B"]}
        response = client.post(reverse("question_new", args=[bank.pk]), form)
        assert response.status_code == 302
        assert sorted(Question.objects.values_list("kind", flat=True)) == ["multiple", "single"]
        response = client.post(reverse("question_new", args=[bank.pk]), {**FORM, "text": "ai ký  phiếu hẹn?"})
        assert response.status_code == 200 and Question.objects.count() == 2  # the single one is a duplicate
