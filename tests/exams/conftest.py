import pytest

from accounts.roles import Role
from exams.importing.base import ParsedChoice, ParsedQuestion
from exams.services.questions import bank_get_or_create, question_create, questions_approve, topic_get_or_create


@pytest.fixture
def author(make_user):
    return make_user(Role.QUESTION_AUTHOR, username="author", full_name="Phạm Minh Khôi")


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.QUESTION_AUTHOR, username="reviewer", full_name="Lâm Thị Kiều Oanh")


@pytest.fixture
def bank(author, reviewer):
    bank, _ = bank_get_or_create(name="Cải cách hành chính", actor=author)
    bank.authors.add(reviewer)
    return bank


def single(text: str, *, correct: int = 0, options: int = 4, **fields) -> ParsedQuestion:
    return ParsedQuestion(source=0, topic=fields.pop("topic", "Một cửa"), kind="single", text=text,
                          choices=[ParsedChoice(f"Phương án {i} của {text}", i == correct) for i in range(options)],
                          **fields)


@pytest.fixture
def make_question(bank, author):
    def make(text: str, *, parsed: ParsedQuestion | None = None, approve_by=None, **fields):
        parsed = parsed or single(text, **fields)
        question = question_create(topic=topic_get_or_create(bank=bank, name=parsed.topic), parsed=parsed,
                                   author=author)
        if approve_by is not None:
            questions_approve(questions=[question], actor=approve_by)
            question.refresh_from_db()
        return question

    return make
