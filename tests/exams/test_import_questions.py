import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import AuditLog
from exams.banks.exports import questions_xlsx
from exams.banks.importing.excel import QUESTION_COLUMNS
from exams.banks.importing.service import import_questions
from exams.models import Bank, Choice, Question, Topic


def sheet(rows: list[dict], columns=QUESTION_COLUMNS) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def q(text: str, **cells) -> dict:
    row = {"Chủ đề": "Một cửa", "Loại": "một đáp án", "Nội dung câu hỏi": text, "Phương án A": "Bộ phận Một cửa",
           "Phương án B": "Văn thư", "Phương án C": "Thanh tra", "Đáp án": "A", "Căn cứ pháp lý": "Nghị định 61/2018/NĐ-CP",
           "Giải thích": "Theo Điều 7."}
    row.update(cells)
    return row


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command("import_questions", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code
        except CommandError as exc:
            code = exc.returncode
            err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def counts() -> dict:
    return {"banks": Bank.objects.count(), "topics": Topic.objects.count(), "questions": Question.objects.count(),
            "choices": Choice.objects.count()}


BAD = [
    q("Hồ sơ được tiếp nhận ở đâu?"),                                                      # 2: valid
    q("Câu 3", Loại="một lựa chọn"),                                                         # 3
    q("Câu 4", **{"Độ khó": "rất khó"}),                                                     # 4
    q("Câu 5", **{"Mức độ": "phân tích"}),                                                   # 5
    q("Câu 6", **{"Đáp án": ""}),                                                            # 6: no answer
    q("Câu 7", **{"Đáp án": "G"}),                                                           # 7: unknown letter
    q("Câu 8", **{"Phương án C": None, "Đáp án": "C"}),                                      # 8: empty option
    q("Câu 9", **{"Đáp án": "A,B"}),                                                         # 9: two correct
    q("Câu 10", **{"Phương án B": None, "Phương án C": None}),                               # 10: one option
    q("  hồ sơ được TIẾP NHẬN   ở đâu? "),                                                   # 11: dup of row 2
    q("Câu đã có trong ngân hàng"),                                                          # 12: dup of bank
    q("Dài " * 1300),                                                                        # 13: too long
    {"Chủ đề": "Một cửa", "Loại": "đúng sai", "Nội dung câu hỏi": "Câu 14", "Đáp án": "Đúng"},  # 14: valid
    {"Chủ đề": "Một cửa", "Loại": "trả lời ngắn", "Nội dung câu hỏi": "Câu 15", "Đáp án": " | "},  # 15
    q("Câu 16", **{"Giữ thứ tự": "có"}),                                                     # 16
    q("Câu 17", **{"Chấm điểm": "từng phần", "Phương án B": None}),                          # 17 (last): two
]
BAD_EXPECTED = {
    (3, "Loại"), (4, "Độ khó"), (5, "Mức độ"), (6, "Đáp án"), (7, "Đáp án"), (8, "Đáp án"), (9, "Đáp án"),
    (10, "Phương án B"), (11, "Nội dung câu hỏi"), (12, "Nội dung câu hỏi"), (13, "Nội dung câu hỏi"),
    (15, "Đáp án"), (16, "Giữ thứ tự"), (17, "Chấm điểm"), (17, "Phương án B"),
}


@pytest.mark.django_db
class TestExcelImport:
    def test_a_bad_file_reports_every_rule_by_row_and_column_and_writes_nothing(self, tmp_path, make_question,
                                                                                author):
        make_question("Câu đã có trong ngân hàng")
        before = counts()
        path = tmp_path / "bad.xlsx"
        path.write_bytes(sheet(BAD))
        code, out, err = run(str(path), "--bank", "Cải cách hành chính", "--as", "author")
        assert code == 1 and out == ""
        assert counts() == before
        reported = set()
        for line in err.strip().splitlines():
            head = line.split(":", 1)[0]
            assert head.startswith("Dòng "), line
            reported.add((int(head.split(",")[0].removeprefix("Dòng ")), head.split("«")[1].rstrip("»")))
        assert reported == BAD_EXPECTED

    def test_a_good_file_imports_every_kind_as_drafts_with_its_importer(self, tmp_path, author):
        rows = [
            q("Hồ sơ được tiếp nhận ở đâu?", **{"Độ khó": "dễ", "Mức độ": "thông hiểu", "Giữ thứ tự": "x"}),
            q("Chọn các cơ quan có Bộ phận Một cửa", Loại="nhiều đáp án", **{"Đáp án": "A, C",
                                                                                "Chấm điểm": "từng phần"}),
            {"Chủ đề": "Dịch vụ công", "Loại": "đúng sai", "Nội dung câu hỏi": "Phiếu hẹn là bắt buộc.",
             "Đáp án": "Sai"},
            {"Chủ đề": "Dịch vụ công", "Loại": "đúng sai", "Nội dung câu hỏi": "Trả kết quả đúng hẹn.",
             "Phương án A": "Đúng", "Phương án B": "Sai", "Đáp án": "A"},
            {"Chủ đề": "Dịch vụ công", "Loại": "trả lời ngắn", "Nội dung câu hỏi": "Viết tắt của thủ tục hành chính?",
             "Đáp án": "TTHC | thủ tục hành chính", "Không phân biệt dấu": "X"},
            {},  # a blank row is ignored
            {"Chủ đề": "Tự luận", "Loại": "Tự Luận", "Nội dung câu hỏi": "Phân tích vai tro\u0300 của CCHC."},
        ]
        path = tmp_path / "good.xlsx"
        path.write_bytes(sheet(rows))
        code, out, err = run(str(path), "--bank", "Ngân hàng mới", "--as", "author", "--dry-run")
        assert (code, err) == (0, "")
        assert "Dịch vụ công" in out and out.strip().splitlines()[-1] == "bank=new created=6"
        assert counts()["questions"] == 0
        code, out, _ = run(str(path), "--bank", "Ngân hàng mới", "--as", "author")
        bank = Bank.objects.get(name="Ngân hàng mới")
        assert out.strip().splitlines()[-1] == f"bank={bank.pk} created=6"
        questions = {x.text: x for x in Question.objects.filter(bank=bank).prefetch_related("choices")}
        assert all(x.status == "draft" and x.author == author and x.imported for x in questions.values())
        first = questions["Hồ sơ được tiếp nhận ở đâu?"]
        assert (first.difficulty, first.level, first.keep_choice_order) == ("easy", "comprehension", True)
        multiple = questions["Chọn các cơ quan có Bộ phận Một cửa"]
        assert [c.is_correct for c in multiple.choices.all()] == [True, False, True] and multiple.scoring == "partial"
        tf = questions["Phiếu hẹn là bắt buộc."]
        assert [(c.text, c.is_correct) for c in tf.choices.all()] == [("Đúng", False), ("Sai", True)]
        short = questions["Viết tắt của thủ tục hành chính?"]
        assert short.accepted_answers == ["TTHC", "thủ tục hành chính"] and short.accent_insensitive
        assert "Phân tích vai trò của CCHC." in questions  # NFD normalised to NFC
        assert AuditLog.objects.filter(action="question.import", actor=author).count() == 1

    def test_strict_topics_makes_an_unknown_topic_an_error(self, tmp_path, make_question):
        make_question("Câu có sẵn")  # the bank has topic "Một cửa"
        path = tmp_path / "t.xlsx"
        path.write_bytes(sheet([q("Câu mới", **{"Chủ đề": "Chủ đề lạ"}), q("Câu mới 2")]))
        code, _, err = run(str(path), "--bank", "Cải cách hành chính", "--strict-topics")
        assert code == 1 and err.strip() == err.strip().splitlines()[0]
        assert err.startswith("Dòng 2, cột «Chủ đề»")
        code, out, _ = run(str(path), "--bank", "Cải cách hành chính")
        assert code == 0 and Topic.objects.filter(name="Chủ đề lạ").exists()

    def test_a_sheet_in_the_wrong_shape_is_a_file_problem(self, tmp_path):
        path = tmp_path / "shape.xlsx"
        path.write_bytes(sheet([q("x")], columns=QUESTION_COLUMNS[:-3]))
        code, _, err = run(str(path), "--bank", "B")
        assert code == 1 and err.startswith("Tệp: ") and "«Giải thích»" in err
        assert not Bank.objects.exists()

    def test_export_then_import_into_an_empty_bank_gives_the_same_questions(self, tmp_path, author, reviewer):
        rows = [q(f"Câu số {n}", **{"Độ khó": ["dễ", "trung bình", "khó"][n % 3]}) for n in range(5)] + [
            q("Nhiều đáp án", Loại="nhiều đáp án", **{"Đáp án": "A,B", "Chấm điểm": "từng phần"}),
            {"Chủ đề": "Khác", "Loại": "trả lời ngắn", "Nội dung câu hỏi": "<p>Viết <strong>tắt</strong>?</p>",
             "Đáp án": "TTHC | Thủ tục hành chính", "Không phân biệt dấu": "x"},
            {"Chủ đề": "Khác", "Loại": "tự luận", "Nội dung câu hỏi": "Trình bày ý kiến.", "Giải thích": "Gợi ý."},
        ]
        first = import_questions(sheet(rows), bank_name="Gốc", fmt="excel", actor=author)
        exported = questions_xlsx(Question.objects.filter(bank=first.bank).prefetch_related("choices")
                                  .select_related("topic"))
        second = import_questions(exported, bank_name="Bản sao", fmt="excel", actor=author)
        assert second.ok and second.created == first.created == 8

        def shape(bank):
            return sorted(
                (x.topic.name, x.kind, x.text, x.difficulty, x.level, x.scoring, x.keep_choice_order,
                 x.accent_insensitive, tuple(x.accepted_answers), x.explanation, x.legal_basis,
                 tuple((c.position, c.text, c.is_correct) for c in x.choices.all()))
                for x in Question.objects.filter(bank=bank).select_related("topic").prefetch_related("choices"))

        assert shape(first.bank) == shape(second.bank)

    def test_formulas_in_questions_are_exported_as_text(self, make_question):
        from openpyxl import load_workbook

        make_question("=1+1 là công thức?")
        data = questions_xlsx(Question.objects.select_related("topic").prefetch_related("choices"))
        cell = load_workbook(io.BytesIO(data)).worksheets[0]["E2"]
        assert cell.value == "=1+1 là công thức?" and cell.data_type == "s"


@pytest.mark.django_db
class TestTextImports:
    def test_aiken_goes_to_the_given_topic(self, tmp_path, author):
        path = tmp_path / "a.txt"
        path.write_text("Ai tiếp nhận hồ sơ?\nA. Bộ phận Một cửa\nB. Văn thư\nANSWER: A\n", encoding="utf-8")
        code, out, _ = run(str(path), "--bank", "B", "--format", "aiken", "--topic", "Một cửa", "--as", "author")
        assert code == 0 and out.strip().endswith("created=1")
        assert Question.objects.get().topic.name == "Một cửa"

    def test_gift_takes_its_category_and_reports_what_it_cannot_import(self, tmp_path):
        path = tmp_path / "g.txt"
        path.write_text(
            "$CATEGORY: $course$/top/Dịch vụ công\n\nCâu một {=Đúng ~Sai ~Không}\n\n"
            "Ghép cặp {=a -> 1 =b -> 2}\n", encoding="utf-8")
        code, _, err = run(str(path), "--bank", "B", "--format", "gift")
        assert code == 1 and err.startswith("Dòng 5")
        assert not Question.objects.exists()
        path.write_text("$CATEGORY: $course$/top/Dịch vụ công\n\nCâu một {=Đúng ~Sai ~Không}\n", encoding="utf-8")
        code, _, _ = run(str(path), "--bank", "B", "--format", "gift")
        assert code == 0 and Question.objects.get().topic.name == "Dịch vụ công"

    def test_a_txt_file_without_format_is_wrong_usage(self, tmp_path):
        path = tmp_path / "a.txt"
        path.write_text("x", encoding="utf-8")
        proc = subprocess.run([sys.executable, "manage.py", "import_questions", str(path), "--bank", "B"],
                              capture_output=True, text=True)
        assert proc.returncode == 2

    def test_an_unknown_importer_exits_1(self, tmp_path):
        path = tmp_path / "a.xlsx"
        path.write_bytes(sheet([q("x y z")]))
        code, _, err = run(str(path), "--bank", "B", "--as", "nobody")
        assert code == 1 and "nobody" in err
        assert not Question.objects.exists()


@pytest.mark.django_db
def test_text_formats_obey_the_same_rules_reported_by_line(author, make_question):
    make_question("Đã có trong ngân hàng")
    aiken = ("Câu một?\nA. Có\nB. Không\nANSWER: A\n\n"
             "Câu một?\nA. Có\nB. Không\nANSWER: B\n\n"
             "Đã có trong ngân hàng\nA. X\nB. Y\nANSWER: A\n")
    result = import_questions(aiken.encode(), bank_name="Cải cách hành chính", fmt="aiken", actor=author)
    assert [(p.row, p.column) for p in result.problems] == [(6, None), (11, None)]
    assert [str(p).split(":")[0] for p in result.problems] == ["Dòng 6", "Dòng 11"]
    assert Question.objects.count() == 1


MOODLE_GIFT = (
    "$CATEGORY: $course$/top/Dịch vụ công\n"  # 1
    "\n"
    "Câu một {=Đúng ~Sai ~Không}\n"  # 3
    "\n"
    "Ghép cặp {=a -> 1 =b -> 2}\n"  # 5
    "\n"
    "Năm ban hành? {#2018}\n"  # 7
    "\n"
    "Viết tắt của thủ tục hành chính? {=TTHC =%0%*#Completely wrong}\n"  # 9
)


@pytest.mark.django_db
class TestMoodleFiles:
    def test_aiken_text_is_stored_so_that_the_page_shows_it_as_written(self, tmp_path, author):
        path = tmp_path / "a.txt"
        path.write_text('The page includes <html class="cool"> & images\nA)Correct\nB) <b>Wrong</b>\nANSWER: A\n',
                        encoding="utf-8")
        code, out, err = run(str(path), "--bank", "B", "--format", "aiken", "--as", "author")
        assert (code, err) == (0, "") and out.strip().endswith("created=1")
        question = Question.objects.get()
        assert question.text == 'The page includes &lt;html class="cool"&gt; &amp; images'
        assert [(c.text, c.is_correct) for c in question.choices.all()] == [("Correct", True),
                                                                           ("&lt;b&gt;Wrong&lt;/b&gt;", False)]

    def test_unsupported_kinds_refuse_the_file_unless_skipped_and_then_each_is_a_warning(self, tmp_path, author):
        path = tmp_path / "g.txt"
        path.write_text(MOODLE_GIFT, encoding="utf-8")
        code, out, err = run(str(path), "--bank", "B", "--format", "gift", "--as", "author")
        assert (code, out) == (1, "")
        assert [line.split(":")[0] for line in err.strip().splitlines()] == ["Dòng 5", "Dòng 7"]
        assert counts()["questions"] == 0

        code, out, err = run(str(path), "--bank", "B", "--format", "gift", "--as", "author", "--skip-unsupported")
        assert code == 0 and out.strip().splitlines()[-1] == f"bank={Bank.objects.get().pk} created=2"
        assert err.strip().splitlines() == [
            "Cảnh báo: Dòng 5: bỏ qua câu này: không hỗ trợ câu hỏi ghép nối.",
            "Cảnh báo: Dòng 7: bỏ qua câu này: không hỗ trợ câu hỏi dạng số.",
        ]
        short = Question.objects.get(kind="short")
        assert short.accepted_answers == ["TTHC"]  # the 0 % answer was feedback, not an accepted answer
        assert AuditLog.objects.get(action="question.import").details["skipped"] == 2

    def test_a_file_of_nothing_but_unsupported_questions_has_no_questions(self, tmp_path, author):
        path = tmp_path / "g.txt"
        path.write_text("Ghép cặp {=a -> 1 =b -> 2}\n", encoding="utf-8")
        code, out, err = run(str(path), "--bank", "B", "--format", "gift", "--skip-unsupported")
        assert (code, out) == (1, "") and err.strip().splitlines()[0].startswith("Tệp: ")
        assert not Bank.objects.exists()

    def test_kinds_sharing_a_text_are_two_questions_and_an_exact_copy_is_imported_once(self, tmp_path, author):
        path = tmp_path / "g.txt"
        path.write_text(
            "Chọn cơ quan hành chính {=UBND tỉnh ~Tòa án ~Viện kiểm sát}\n\n"  # 1: single
            "Chọn cơ quan hành chính {=UBND tỉnh =Sở Nội vụ ~Tòa án}\n\n"  # 3: multiple, same text
            "$CATEGORY: Khác\n\n"
            "Chọn cơ quan hành chính {=UBND tỉnh ~Tòa án ~Viện kiểm sát}\n", encoding="utf-8")  # 7: copy of 1
        code, out, err = run(str(path), "--bank", "B", "--format", "gift", "--as", "author")
        assert code == 0 and out.strip().endswith("created=2")
        assert err.strip().splitlines() == ["Cảnh báo: Dòng 7: câu hỏi này trùng hoàn toàn với câu ở dòng 1; "
                                            "chỉ nhập một lần."]
        assert sorted(Question.objects.values_list("kind", flat=True)) == ["multiple", "single"]

        path.write_text("Chọn cơ quan hành chính\nA. UBND tỉnh\nB. Tòa án\nANSWER: A\n", encoding="utf-8")
        code, _, err = run(str(path), "--bank", "B", "--format", "aiken")
        assert code == 1 and err.startswith("Dòng 1: ")  # the single-choice version is already in the bank
        path.write_text("Chọn cơ quan hành chính {=UBND tỉnh}\n", encoding="utf-8")
        code, out, _ = run(str(path), "--bank", "B", "--format", "gift", "--as", "author")
        assert code == 0 and out.strip().endswith("created=1")  # a short-answer version is another question

    def test_the_bank_is_compared_by_the_same_rule_whatever_key_its_questions_were_stored_with(self, tmp_path,
                                                                                                 make_question):
        from exams.banks import html

        question = make_question("Câu đã lưu với khóa cũ")
        Question.objects.filter(pk=question.pk).update(dedup_key=html.dedup_key(question.text))  # text-only key
        path = tmp_path / "a.txt"
        path.write_text("Câu đã lưu với khóa cũ\nA. Có\nB. Không\nANSWER: A\n", encoding="utf-8")
        code, _, err = run(str(path), "--bank", "Cải cách hành chính", "--format", "aiken")
        assert code == 1 and err.strip() == "Dòng 1: câu hỏi này đã có trong ngân hàng câu hỏi."

    def test_a_copy_that_differs_in_its_answer_is_still_refused(self, tmp_path, author):
        path = tmp_path / "a.txt"
        path.write_text("Câu một?\nA. Có\nB. Không\nANSWER: A\n\nCâu một?\nA. Có\nB. Không\nANSWER: B\n",
                        encoding="utf-8")
        code, _, err = run(str(path), "--bank", "B", "--format", "aiken")
        assert code == 1 and err.strip() == "Dòng 6: câu hỏi này đã có ở dòng 1."

    def test_an_excel_copy_is_imported_once_and_removed_markup_is_named(self, tmp_path, author):
        path = tmp_path / "q.xlsx"
        path.write_bytes(sheet([q("Câu một"), q('Câu <html class="cool"> & hình', **{"Phương án B": "<div>Văn thư"}),
                                q("Câu một", **{"Chủ đề": "Khác"})]))
        code, out, err = run(str(path), "--bank", "B", "--as", "author")
        assert code == 0 and out.strip().endswith("created=2")
        assert err.strip().splitlines() == [
            "Cảnh báo: Dòng 3, cột «Nội dung câu hỏi»: các thẻ <html> không được giữ trong câu hỏi và sẽ bị xoá; "
            "muốn hiển thị đúng ký tự “<”, hãy viết &lt;.",
            "Cảnh báo: Dòng 3, cột «Phương án B»: các thẻ <div> không được giữ trong câu hỏi và sẽ bị xoá; "
            "muốn hiển thị đúng ký tự “<”, hãy viết &lt;.",
            "Cảnh báo: Dòng 4, cột «Nội dung câu hỏi»: câu hỏi này trùng hoàn toàn với câu ở dòng 2; chỉ nhập một lần.",
        ]
