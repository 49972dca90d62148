"""What every question import produces before validation and writing (Excel, Aiken, GIFT alike)."""

from __future__ import annotations

from dataclasses import dataclass, field

KIND_SINGLE = "single"
KIND_MULTIPLE = "multiple"
KIND_TRUE_FALSE = "true_false"
KIND_SHORT = "short"
KIND_ESSAY = "essay"
KINDS = (KIND_SINGLE, KIND_MULTIPLE, KIND_TRUE_FALSE, KIND_SHORT, KIND_ESSAY)
CHOICE_KINDS = (KIND_SINGLE, KIND_MULTIPLE, KIND_TRUE_FALSE)

DIFFICULTY_EASY, DIFFICULTY_MEDIUM, DIFFICULTY_HARD = "easy", "medium", "hard"
LEVEL_RECOGNITION, LEVEL_COMPREHENSION, LEVEL_APPLICATION = "recognition", "comprehension", "application"
SCORING_ALL_OR_NOTHING, SCORING_PARTIAL = "all_or_nothing", "partial"

TRUE_TEXT, FALSE_TEXT = "Đúng", "Sai"


@dataclass
class ParsedChoice:
    text: str
    correct: bool = False


@dataclass
class ParsedQuestion:
    """One question as read from a file. ``source`` is the sheet row or the text line it starts on.

    ``text``, choice texts and ``explanation`` are question HTML (sanitised when written): a reader of a text
    format escapes what it read. ``accepted_answers`` are plain text."""

    source: int
    topic: str
    kind: str
    text: str
    choices: list[ParsedChoice] = field(default_factory=list)
    accepted_answers: list[str] = field(default_factory=list)  # short answer only
    difficulty: str = DIFFICULTY_MEDIUM
    level: str = LEVEL_RECOGNITION
    scoring: str = SCORING_ALL_OR_NOTHING
    keep_choice_order: bool = False
    accent_insensitive: bool = False
    explanation: str = ""
    legal_basis: str = ""
