"""Tests for exams.banks.importing.aiken and .gift: the Aiken and GIFT parsers (pure Python, no database)."""

from __future__ import annotations

import unicodedata

import pytest
from django.utils import translation

from exams.banks.importing.aiken import parse_aiken
from exams.banks.importing.base import (
    FALSE_TEXT,
    KIND_ESSAY,
    KIND_MULTIPLE,
    KIND_SHORT,
    KIND_SINGLE,
    KIND_TRUE_FALSE,
    SCORING_ALL_OR_NOTHING,
    SCORING_PARTIAL,
    TRUE_TEXT,
    ParsedChoice,
    ParsedQuestion,
)
from exams.banks.importing.gift import parse_gift
from exams.banks.importing.textformats import Unsupported

TOPIC = "Kiến thức chung"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English msgids, whatever the catalogue holds later."""
    with translation.override("en"):
        yield


def _file(*lines: str) -> str:
    """One argument per line, so line N of the file is the N-th argument."""
    return "\n".join(lines) + "\n"


def _rows(problems) -> list[tuple[int | None, str]]:
    return [(problem.row, problem.message) for problem in problems]


def _choices(*spec: str) -> list[ParsedChoice]:
    """``"*text"`` is a correct choice, ``"text"`` a wrong one."""
    return [ParsedChoice(s[1:], correct=True) if s.startswith("*") else ParsedChoice(s) for s in spec]


# --------------------------------------------------------------------------------------------- Aiken

AIKEN_VALID = _file(
    "Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam",  # 1
    "   là thành phố nào?  ",  # 2
    "A. Hà Nội",  # 3
    "  B. Huế  ",  # 4
    "C. Đà Nẵng",  # 5
    "ANSWER: A",  # 6
    "",  # 7
    "   ",  # 8
    "Luật Cán bộ, công chức được Quốc hội thông qua năm nào?",  # 9
    "A) 2008",  # 10
    "B) 2010",  # 11
    "answer: b",  # 12
    "Câu hỏi thứ ba đứng ngay sau dòng ANSWER, không có dòng trống?",  # 13
    "A. Có",  # 14
    "B. Không",  # 15
    "C. Không rõ",  # 16
    "Answer :  C",  # 17
)


def test_it_reads_a_valid_aiken_file_into_single_choice_questions():
    questions, problems = parse_aiken(AIKEN_VALID, topic=TOPIC)

    assert problems == []
    assert questions == [
        ParsedQuestion(
            source=1, topic=TOPIC, kind=KIND_SINGLE,
            text="Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam là thành phố nào?",
            choices=_choices("*Hà Nội", "Huế", "Đà Nẵng"),
        ),
        ParsedQuestion(
            source=9, topic=TOPIC, kind=KIND_SINGLE,
            text="Luật Cán bộ, công chức được Quốc hội thông qua năm nào?",
            choices=_choices("2008", "*2010"),
        ),
        ParsedQuestion(
            source=13, topic=TOPIC, kind=KIND_SINGLE,
            text="Câu hỏi thứ ba đứng ngay sau dòng ANSWER, không có dòng trống?",
            choices=_choices("Có", "Không", "*Không rõ"),
        ),
    ]


def test_it_tolerates_a_blank_line_between_the_aiken_question_and_its_options():
    questions, problems = parse_aiken(_file("Câu hỏi?", "", "A. Một", "", "B. Hai", "ANSWER: B"), topic=TOPIC)

    assert problems == []
    assert questions == [ParsedQuestion(source=1, topic=TOPIC, kind=KIND_SINGLE, text="Câu hỏi?",
                                        choices=_choices("Một", "*Hai"))]


def test_it_keeps_a_word_like_c_mac_as_question_text_not_as_an_aiken_option():
    questions, problems = parse_aiken(_file("C.Mác sinh năm nào?", "A. 1818", "B. 1820", "ANSWER: A"), topic=TOPIC)

    assert problems == []
    assert [(q.source, q.text) for q in questions] == [(1, "C.Mác sinh năm nào?")]


@pytest.mark.parametrize(
    ("lines", "expected_problems", "expected_sources"),
    [
        pytest.param(
            ("Câu hỏi?", "A. Một", "B. Hai", "ANSWER: D"),
            [(4, "the answer “D” does not name one of the options.")], [],
            id="answer-letter-names-no-option",
        ),
        pytest.param(
            ("Câu hỏi?", "A. Một", "B. Hai", "ANSWER:"),
            [(4, "the ANSWER line is empty.")], [],
            id="empty-answer",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "", "Câu 2?", "A. Một", "B. Hai", "ANSWER: B"),
            [(1, "this question has no ANSWER line.")], [5],
            id="answer-missing-before-next-question",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "Câu 2?", "A. Một", "B. Hai", "ANSWER: B"),
            [(1, "this question has no ANSWER line.")], [4],
            id="answer-missing-no-blank-line",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "ANSWER: A", "", "Câu 2?", "A. Một", "B. Hai"),
            [(6, "this question has no ANSWER line.")], [1],
            id="answer-missing-at-end-of-file",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "C. Ba", "ANSWER: A", "", "Câu 2?", "A. Một", "B. Hai", "ANSWER: A"),
            [(3, "option C is out of sequence: B was expected.")], [6],
            id="options-out-of-sequence",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "B. Hai nữa", "ANSWER: A"),
            [(4, "option B is out of sequence: C was expected.")], [],
            id="option-letter-repeated",
        ),
        pytest.param(
            ("A. Một", "B. Hai", "ANSWER: A", "", "Câu 2?", "A. Một", "B. Hai", "ANSWER: B"),
            [(1, "an option line comes before any question text.")], [5],
            id="option-before-question-text",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "ANSWER: A", "A. Ba", "B. Bốn", "ANSWER: B"),
            [(5, "an option line comes before any question text.")], [1],
            id="options-right-after-an-answer-line",
        ),
        pytest.param(
            ("Câu 1 không có phương án?", "ANSWER: A", "", "Câu 2?", "A. Một", "B. Hai", "ANSWER: B"),
            [(1, "this question has no options.")], [4],
            id="no-options-before-answer",
        ),
        pytest.param(
            ("Một đoạn văn lạc lõng.", "", "Câu 2?", "A. Một", "B. Hai", "ANSWER: B"),
            [(1, "this question has no options.")], [3],
            id="no-options-before-next-question",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "ANSWER: B", "", "Câu cuối không có phương án"),
            [(6, "this question has no options.")], [1],
            id="no-options-at-end-of-file",
        ),
        pytest.param(
            ("Câu 1?", "A. Một", "B. Hai", "ANSWER: B", "ANSWER: A"),
            [(5, "this ANSWER line does not belong to any question.")], [1],
            id="answer-without-question",
        ),
    ],
)
def test_it_reports_each_aiken_problem_on_its_line(lines, expected_problems, expected_sources):
    questions, problems = parse_aiken(_file(*lines), topic=TOPIC)

    assert _rows(problems) == expected_problems
    assert [question.source for question in questions] == expected_sources


def test_it_accounts_for_every_aiken_question_in_a_file_with_mistakes():
    text = _file(
        "Câu 1 tốt?", "A. Một", "B. Hai", "ANSWER: A", "",  # 1-5
        "Câu 2 sai đáp án?", "A. Một", "B. Hai", "ANSWER: E", "",  # 6-10
        "Câu 3 thiếu ANSWER?", "A. Một", "B. Hai", "",  # 11-14
        "Câu 4 tốt?", "A. Một", "B. Hai", "ANSWER: B", "",  # 15-19
        "Câu 5 nhảy phương án?", "A. Một", "D. Bốn", "ANSWER: A", "",  # 20-24
        "Câu 6 không phương án", "",  # 25-26
        "Câu 7 tốt?", "A. Một", "B. Hai", "ANSWER: A",  # 27-30
    )
    questions, problems = parse_aiken(text, topic=TOPIC)

    assert [q.source for q in questions] == [1, 15, 27]
    assert [p.row for p in problems] == [9, 11, 22, 25]
    assert len(questions) + len(problems) == 7


def test_it_leaves_business_rules_to_the_shared_validator_for_aiken():
    text = _file("Chỉ một phương án?", "A. Một", "ANSWER: A", "", "Chỉ một phương án?", "A. Một", "ANSWER: A")
    questions, problems = parse_aiken(text, topic=TOPIC)

    assert problems == []
    assert [(q.source, len(q.choices)) for q in questions] == [(1, 1), (5, 1)]


def test_it_keeps_aiken_text_as_written_by_escaping_it_into_the_question_html():
    text = _file('The tag <html class="cool"> & images', "A. <b>bold</b>", "B. a < b && c > d", "ANSWER: A")
    questions, problems = parse_aiken(text, topic=TOPIC)

    assert problems == []
    assert questions[0].text == 'The tag &lt;html class="cool"&gt; &amp; images'
    assert [c.text for c in questions[0].choices] == ["&lt;b&gt;bold&lt;/b&gt;", "a &lt; b &amp;&amp; c &gt; d"]


def test_it_reads_an_aiken_option_without_a_space_after_its_letter_as_moodle_does():
    text = _file("Which is correct?", "A)Correct", "B.Wrong", "C) Also wrong", "ANSWER: A")
    questions, problems = parse_aiken(text, topic=TOPIC)

    assert problems == []
    assert questions == [ParsedQuestion(source=1, topic=TOPIC, kind=KIND_SINGLE, text="Which is correct?",
                                        choices=_choices("*Correct", "Wrong", "Also wrong"))]


def test_it_reads_a_letter_without_a_space_as_text_where_no_option_can_be():
    text = _file("Câu đầu?", "A. Một", "B. Hai", "ANSWER: A",  # 1-4
                 "C.Mác sinh năm nào, theo", "C.Mác và Ph.Ăngghen toàn tập?", "A.1818", "B.1820", "ANSWER: A")  # 5-9
    questions, problems = parse_aiken(text, topic=TOPIC)

    assert problems == []
    assert [(q.source, q.text, [c.text for c in q.choices]) for q in questions] == [
        (1, "Câu đầu?", ["Một", "Hai"]),
        (5, "C.Mác sinh năm nào, theo C.Mác và Ph.Ăngghen toàn tập?", ["1818", "1820"]),
    ]


# ---------------------------------------------------------------------------------------------- GIFT

CATEGORY_1 = "Cải cách hành chính"
CATEGORY_2 = "Luật Cán bộ, công chức"

GIFT_VALID = _file(
    "// Ngân hàng câu hỏi mẫu",  # 1
    "// Câu đầu tiên chưa có $CATEGORY: dùng chủ đề mặc định",  # 2
    "::Thủ đô::Thủ đô của Việt Nam là thành phố nào? {",  # 3
    "  =Hà Nội#Chính xác",  # 4
    "  ~Huế#Kinh đô triều Nguyễn",  # 5
    "  // một chú thích giữa các phương án",  # 6
    "  ~Đà Nẵng",  # 7
    "  ####Hà Nội là thủ đô của nước ta.",  # 8
    "}",  # 9
    "",  # 10
    "$CATEGORY: $course$/top/Cải cách hành chính",  # 11
    "",  # 12
    "::Cơ quan::[html]<p>Chọn các <b>cơ quan hành chính</b>:</p> "
    "{~%50%UBND tỉnh ~%50%Sở Nội vụ ~%-100%Tòa án nhân dân}",  # 13
    "",  # 14
    "Những văn bản nào là luật?",  # 15
    "{=Luật Cán bộ, công chức =Luật Viên chức ~Nghị định 138/2020/NĐ-CP}",  # 16
    "",  # 17
    r"Ký hiệu \{ \} \# \~ \= \: có nghĩa riêng trong GIFT. {T}",  # 18
    "",  # 19
    "Công chức được kinh doanh tự do. {FALSE#Sai: Luật cấm.}",  # 20
    "",  # 21
    "$CATEGORY: $course$/top/Pháp luật/Luật Cán bộ, công chức",  # 22
    "Viết tắt của Ủy ban nhân dân là gì? {=%100%UBND =ủy ban nhân dân}",  # 23
    "",  # 24
    r"Phép so sánh nào đúng? {=2 \= 2 ~1 \= 2}",  # 25
    "",  # 26
    "[markdown]Trình bày vai trò của **công chức**. {}",  # 27
    "",  # 28
    "[plain]Nêu ý kiến. {",  # 29
    "####Gợi ý: nêu ít nhất hai ý.",  # 30
    "}",  # 31
    "",  # 32
    "Câu hỏi trả lời ngắn",  # 33
    "  trải trên hai dòng {=Một}",  # 34
    "",  # 35
    "Đúng hay sai? {F}",  # 36
)


def test_it_reads_every_supported_gift_kind_with_categories_titles_and_escapes():
    questions, problems = parse_gift(GIFT_VALID, topic=TOPIC)

    assert problems == []
    assert questions == [
        ParsedQuestion(
            source=3, topic=TOPIC, kind=KIND_SINGLE, text="Thủ đô của Việt Nam là thành phố nào?",
            choices=_choices("*Hà Nội", "Huế", "Đà Nẵng"), explanation="Hà Nội là thủ đô của nước ta.",
        ),
        ParsedQuestion(
            source=13, topic=CATEGORY_1, kind=KIND_MULTIPLE, scoring=SCORING_PARTIAL,
            text="<p>Chọn các <b>cơ quan hành chính</b>:</p>",
            choices=_choices("*UBND tỉnh", "*Sở Nội vụ", "Tòa án nhân dân"),
        ),
        ParsedQuestion(
            source=15, topic=CATEGORY_1, kind=KIND_MULTIPLE, scoring=SCORING_ALL_OR_NOTHING,
            text="Những văn bản nào là luật?",
            choices=_choices("*Luật Cán bộ, công chức", "*Luật Viên chức", "Nghị định 138/2020/NĐ-CP"),
        ),
        ParsedQuestion(
            source=18, topic=CATEGORY_1, kind=KIND_TRUE_FALSE, text="Ký hiệu { } # ~ = : có nghĩa riêng trong GIFT.",
            choices=[ParsedChoice(TRUE_TEXT, correct=True), ParsedChoice(FALSE_TEXT, correct=False)],
        ),
        ParsedQuestion(
            source=20, topic=CATEGORY_1, kind=KIND_TRUE_FALSE, text="Công chức được kinh doanh tự do.",
            choices=[ParsedChoice(TRUE_TEXT, correct=False), ParsedChoice(FALSE_TEXT, correct=True)],
        ),
        ParsedQuestion(
            source=23, topic=CATEGORY_2, kind=KIND_SHORT, text="Viết tắt của Ủy ban nhân dân là gì?",
            accepted_answers=["UBND", "ủy ban nhân dân"],
        ),
        ParsedQuestion(
            source=25, topic=CATEGORY_2, kind=KIND_SINGLE, text="Phép so sánh nào đúng?",
            choices=_choices("*2 = 2", "1 = 2"),
        ),
        ParsedQuestion(
            source=27, topic=CATEGORY_2, kind=KIND_ESSAY, text="Trình bày vai trò của **công chức**.",
        ),
        ParsedQuestion(
            source=29, topic=CATEGORY_2, kind=KIND_ESSAY, text="Nêu ý kiến.",
            explanation="Gợi ý: nêu ít nhất hai ý.",
        ),
        ParsedQuestion(
            source=33, topic=CATEGORY_2, kind=KIND_SHORT, text="Câu hỏi trả lời ngắn trải trên hai dòng",
            accepted_answers=["Một"],
        ),
        ParsedQuestion(
            source=36, topic=CATEGORY_2, kind=KIND_TRUE_FALSE, text="Đúng hay sai?",
            choices=[ParsedChoice(TRUE_TEXT, correct=False), ParsedChoice(FALSE_TEXT, correct=True)],
        ),
    ]


@pytest.mark.parametrize(
    ("category_line", "expected_topic"),
    [
        ("$CATEGORY: $course$/top/Cải cách hành chính", "Cải cách hành chính"),
        ("$CATEGORY:   Cải cách hành chính  ", "Cải cách hành chính"),
        ("$CATEGORY: $course$/top/Đơn vị//Phòng ban", "Đơn vị/Phòng ban"),
        ("$CATEGORY: $course$/top", TOPIC),
        ("$category: $system$/top/Thi tuyển/", "Thi tuyển"),
    ],
)
def test_it_takes_the_topic_from_the_last_segment_of_the_gift_category(category_line, expected_topic):
    questions, problems = parse_gift(_file(category_line, "Câu hỏi? {T}"), topic=TOPIC)

    assert problems == []
    assert [(q.source, q.topic) for q in questions] == [(2, expected_topic)]


@pytest.mark.parametrize(
    ("lines", "expected_problem"),
    [
        pytest.param(("Ghép nối:", "{", "  =Hà Nội -> Thủ đô", "  =Huế -> Cố đô", "}"),
                     (2, "matching questions are not supported."), id="matching"),
        pytest.param(("Luật Cán bộ, công chức", "có hiệu lực năm nào? {#2010}"),
                     (2, "numerical questions are not supported."), id="numerical"),
        pytest.param(("Thủ đô {=Hà Nội ~Huế} là trung tâm chính trị.",),
                     (1, "missing-word questions (an answer block followed by more text) are not supported."),
                     id="missing-word"),
        pytest.param(("Câu chưa đóng", "{=Một", "~Hai"),
                     (2, "the answer block is not closed."), id="unclosed-block"),
        pytest.param(("Câu có ngoặc lồng {=Một", "~Hai {", "~Ba}"),
                     (2, "the answer block contains an unescaped “{”."), id="nested-brace"),
        pytest.param(("Khối sai dạng {Hà Nội}",),
                     (1, "the answer block must start with “=” or “~”."), id="malformed-block"),
        pytest.param(("Khối rỗng {", "=", "}"),
                     (2, "an answer in the block is empty."), id="empty-answer"),
        pytest.param(("Trọng số hỏng {", "~%50%Một", "~%năm mươi%Hai", "}"),
                     (3, "the weight “năm mươi” is not a number between -100 and 100."), id="weight-not-a-number"),
        pytest.param(("Trọng số quá lớn {~%150%Một ~Hai}",),
                     (1, "the weight “150” is not a number between -100 and 100."), id="weight-out-of-range"),
        pytest.param(("Trọng số không đóng {=Một", "~%50 Hai}"),
                     (2, "the weight “%50 Hai” is not a number between -100 and 100."), id="weight-not-closed"),
        pytest.param(("Trả lời ngắn {=%50%Một =Hai}",),
                     (1, "short answers with partial credit are not supported."),
                     id="short-answer-partial-credit"),
        pytest.param(("Chỉ có văn bản, không có khối đáp án.",),
                     (1, "the question has no answer block."), id="no-answer-block"),
        pytest.param(("::Tiêu đề chưa đóng", "Câu hỏi? {T}"),
                     (1, "the title is not closed with “::”."), id="title-not-closed"),
    ],
)
def test_it_reports_each_unsupported_gift_construct_on_its_line_and_keeps_the_others(lines, expected_problem):
    text = _file("// trước", "Câu trước? {=Một ~Hai}", "", *lines, "", "Câu sau? {TRUE}")
    shift = 3  # the construct's own lines start on line 4
    after = shift + len(lines) + 2

    questions, problems = parse_gift(text, topic=TOPIC)

    assert _rows(problems) == [(expected_problem[0] + shift, expected_problem[1])]
    assert [(q.source, q.text) for q in questions] == [(2, "Câu trước?"), (after, "Câu sau?")]


def test_it_accounts_for_every_gift_question_in_a_file_with_unsupported_ones():
    text = _file(
        "$CATEGORY: $course$/top/Hỗn hợp",  # 1
        "Câu 1? {=Một ~Hai}",  # 2
        "",  # 3
        "Câu 2 ghép nối {=a -> b =c -> d}",  # 4
        "",  # 5
        "Câu 3 số {#5:1}",  # 6
        "",  # 7
        "Câu 4 {T}",  # 8
        "",  # 9
        "Câu 5 điền từ {=Một} còn tiếp",  # 10
        "",  # 11
        "Câu 6 chưa đóng {=Một ~Hai",  # 12
        "",  # 13
        "Câu 7 tự luận {}",  # 14
        "Câu 8 ngay sau, không dòng trống, nên dính vào câu 7 {T}",  # 15
    )
    questions, problems = parse_gift(text, topic=TOPIC)

    assert [(q.source, q.kind) for q in questions] == [(2, KIND_SINGLE), (8, KIND_TRUE_FALSE)]
    assert _rows(problems) == [
        (4, "matching questions are not supported."),
        (6, "numerical questions are not supported."),
        (10, "missing-word questions (an answer block followed by more text) are not supported."),
        (12, "the answer block is not closed."),
        (14, "missing-word questions (an answer block followed by more text) are not supported."),
    ]
    assert len(questions) + len(problems) == 7  # questions 7 and 8 are one block: no blank line between them


def test_it_leaves_business_rules_to_the_shared_validator_for_gift():
    text = _file("Không có đáp án đúng? {~Một ~Hai}", "", "Một phương án? {=Một ~Một}", "", "{=Một ~Hai}")
    questions, problems = parse_gift(text, topic=TOPIC)

    assert problems == []
    assert [(q.source, q.kind, q.text, [c.correct for c in q.choices]) for q in questions] == [
        (1, KIND_SINGLE, "Không có đáp án đúng?", [False, False]),
        (3, KIND_SINGLE, "Một phương án?", [True, False]),
        (5, KIND_SINGLE, "", [True, False]),
    ]


def test_it_treats_a_weighted_single_answer_as_partial_multiple_answers():
    questions, problems = parse_gift(_file("Chọn? {=%50%Một ~%50%Hai ~Ba}"), topic=TOPIC)

    assert problems == []
    assert questions[0].kind == KIND_MULTIPLE
    assert questions[0].scoring == SCORING_PARTIAL
    assert questions[0].choices == _choices("*Một", "*Hai", "Ba")


def test_it_keeps_gift_text_as_written_unless_it_is_marked_html():
    text = _file(
        'Default <html class="cool"> & images {=<b>yes</b> ~a < b}',  # 1
        "",
        "[plain]Plain <i>x</i> {T}",  # 3
        "",
        "[markdown]Markdown **bold** <u>x</u> {}",  # 5
        "",
        "[moodle]Moodle <br> {}",  # 7
        "",
        "::Title::[html]<p>Html &amp; <b>bold</b></p> {=<i>yes</i> ~[plain]<i>no</i> ####<em>hint</em>}",  # 9
        "",
        "Default answers may be html {=[html]<b>yes</b> ~no ####[html]<em>hint</em>}",  # 11
    )
    questions, problems = parse_gift(text, topic=TOPIC)

    assert problems == []
    assert [(q.text, [c.text for c in q.choices], q.explanation) for q in questions] == [
        ('Default &lt;html class="cool"&gt; &amp; images', ["&lt;b&gt;yes&lt;/b&gt;", "a &lt; b"], ""),
        ("Plain &lt;i&gt;x&lt;/i&gt;", [TRUE_TEXT, FALSE_TEXT], ""),
        ("Markdown **bold** &lt;u&gt;x&lt;/u&gt;", [], ""),
        ("Moodle &lt;br&gt;", [], ""),
        ("<p>Html &amp; <b>bold</b></p>", ["<i>yes</i>", "&lt;i&gt;no&lt;/i&gt;"], "<em>hint</em>"),
        ("Default answers may be html", ["<b>yes</b>", "no"], "<em>hint</em>"),
    ]


def test_it_resolves_moodle_gift_escapes_including_backslash_and_line_break():
    text = _file(r"Path C:\\temp\\ and \{braces\} \& \n next line {=a\\ ~b \= c}")
    questions, problems = parse_gift(text, topic=TOPIC)

    assert problems == []
    assert questions[0].text == r"Path C:\temp\ and {braces} \&amp; <br> next line"
    assert [c.text for c in questions[0].choices] == ["a\\", "b = c"]


def test_it_takes_a_zero_weight_short_answer_as_feedback_not_as_an_accepted_answer():
    text = _file("Viết tắt của Ủy ban nhân dân? {", "=UBND", "=%100%Ủy ban nhân dân", "=%0%*#Completely wrong",
                 "=%-50%UB#Chưa đủ", "}")
    questions, problems = parse_gift(text, topic=TOPIC)

    assert problems == []
    assert questions == [ParsedQuestion(source=1, topic=TOPIC, kind=KIND_SHORT, text="Viết tắt của Ủy ban nhân dân?",
                                        accepted_answers=["UBND", "Ủy ban nhân dân"])]


def test_it_marks_kinds_it_cannot_store_as_unsupported_and_a_broken_format_as_a_plain_problem():
    text = _file(
        "Ghép nối {=a -> 1 =b -> 2}",  # 1: matching
        "",
        "Số {#5:1}",  # 3: numerical
        "",
        "Thủ đô {=Hà Nội ~Huế} là trung tâm.",  # 5: missing word
        "",
        "Một đoạn mô tả, không có khối đáp án.",  # 7: description
        "",
        "Ngắn {=%50%Một =Hai}",  # 9: short answer with partial credit
        "",
        "Chưa đóng {=Một ~Hai",  # 11: broken
        "",
        "Khối hỏng {Một}",  # 13: broken
    )
    questions, problems = parse_gift(text, topic=TOPIC)

    assert questions == []
    assert [(p.row, isinstance(p, Unsupported)) for p in problems] == [
        (1, True), (3, True), (5, True), (7, True), (9, True), (11, False), (13, False)]


def test_it_decides_the_gift_kind_in_moodles_order_so_an_arrow_in_a_choice_is_text():
    questions, problems = parse_gift(_file("Mũi tên? {=a -> b ~c}"), topic=TOPIC)

    assert problems == []
    assert [(q.kind, [c.text for c in q.choices]) for q in questions] == [(KIND_SINGLE, ["a -&gt; b", "c"])]


# ---------------------------------------------------------------------------------------- Both formats

def test_it_normalises_nfd_input_to_nfc_output():
    aiken = unicodedata.normalize("NFD", _file("Thủ đô của Việt Nam?", "A. Hà Nội", "B. Huế", "ANSWER: A"))
    gift = unicodedata.normalize("NFD", _file("$CATEGORY: Cải cách hành chính", "Thủ đô của Việt Nam? {=Hà Nội ~Huế}"))
    assert aiken != unicodedata.normalize("NFC", aiken)

    aiken_questions, aiken_problems = parse_aiken(aiken, topic=TOPIC)
    gift_questions, gift_problems = parse_gift(gift, topic=TOPIC)

    assert aiken_problems == gift_problems == []
    for question in (aiken_questions[0], gift_questions[0]):
        assert question.text == "Thủ đô của Việt Nam?"
        assert [c.text for c in question.choices] == ["Hà Nội", "Huế"]
        for value in (question.text, question.topic, *(c.text for c in question.choices)):
            assert unicodedata.is_normalized("NFC", value)
    assert gift_questions[0].topic == "Cải cách hành chính"


def test_it_strips_a_bom_and_counts_lines_for_any_line_ending():
    aiken = "\ufeffCâu 1?\r\nA. Một\r\nB. Hai\r\nANSWER: A\r\n\r\nCâu 2?\rA. Một\rB. Hai\rANSWER: B\r"
    gift = "\ufeff// chú thích\r\nCâu 1? {T}\r\n\r\nCâu 2? {F}\r\n"

    aiken_questions, aiken_problems = parse_aiken(aiken, topic=TOPIC)
    gift_questions, gift_problems = parse_gift(gift, topic=TOPIC)

    assert aiken_problems == gift_problems == []
    assert [(q.source, q.text) for q in aiken_questions] == [(1, "Câu 1?"), (6, "Câu 2?")]
    assert [(q.source, q.text) for q in gift_questions] == [(2, "Câu 1?"), (4, "Câu 2?")]


def test_it_reports_problems_as_numbered_lines():
    _questions, problems = parse_aiken(_file("Câu hỏi?", "A. Một", "ANSWER: C"), topic=TOPIC)

    assert str(problems[0]) == "Row 3: the answer “C” does not name one of the options."


def test_it_returns_nothing_for_an_empty_file():
    assert parse_aiken("", topic=TOPIC) == ([], [])
    assert parse_gift("\ufeff\n  \n// chỉ có chú thích\n", topic=TOPIC) == ([], [])
