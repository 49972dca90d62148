"""Vietnamese name helpers: normalisation, splitting, searching and sorting.

Pure standard library (``unicodedata``); no Django, no ICU.

Sorting follows Vietnamese alphabetical order::

    a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z)

compared ICU-style on several levels:

* primary   -- base letters, where the letter modifiers (breve, circumflex,
  horn) and the stroke of ``đ`` make *different letters*; tones and case
  are ignored;
* secondary -- tone marks, syllable position by position, ordered
  ngang < huyền < hỏi < ngã < sắc < nặng;
* tertiary  -- case, lowercase first;
* identical -- the NFD text itself, so that only canonically equivalent
  strings get equal keys.
"""

from __future__ import annotations

import functools
import unicodedata
from datetime import date

__all__ = [
    "collation_key",
    "name_sort_key",
    "normalize_name",
    "search_key",
    "split_name",
]

# --- Marks -----------------------------------------------------------------

_GRAVE = "\u0300"  # huyền
_ACUTE = "\u0301"  # sắc
_CIRCUMFLEX = "\u0302"
_TILDE = "\u0303"  # ngã
_BREVE = "\u0306"
_HOOK = "\u0309"  # hỏi
_HORN = "\u031b"
_DOT_BELOW = "\u0323"  # nặng

# Secondary weights of the tones; "no mark" (ngang) is the empty tuple,
# which sorts before every non-empty one.
_TONE_WEIGHTS = {
    _GRAVE: 1,  # huyền
    _HOOK: 2,  # hỏi
    _TILDE: 3,  # ngã
    _ACUTE: 4,  # sắc
    _DOT_BELOW: 5,  # nặng
}
# Any other combining mark (e.g. a diaeresis in a foreign name) is a
# secondary difference too, after all Vietnamese tones, by code point.
_OTHER_MARK_BASE = 0x100

# Base letter + letter modifier -> Vietnamese letter (primary difference).
_MODIFIED_LETTERS = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

# --- Primary weights -------------------------------------------------------

_ALPHABET = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j",
    "k", "l", "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư",
    "v", "w", "x", "y", "z",
)  # fmt: skip

_SPACE_WEIGHT = 1
_DIGIT_BASE = 10  # 10..19
_LETTER_BASE = 100
_LETTER_WEIGHTS = {letter: _LETTER_BASE + i for i, letter in enumerate(_ALPHABET)}
_OTHER_BASE = 1000  # + code point

_D_STROKE = {"đ": "đ", "Đ": "đ"}


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def _collapse_whitespace(text: str) -> str:
    # str.split() without arguments splits on every Unicode whitespace
    # character, including NO-BREAK SPACE and the other fixed-width spaces.
    return " ".join(text.split())


# --- Public API ------------------------------------------------------------


def without_format_characters(text: str) -> str:
    """*text* without Unicode format characters (category Cf): bidirectional overrides (U+202E turns a printed
    name around), zero-width spaces and joiners, the byte-order mark, soft hyphens. None belongs in a Vietnamese
    name or in text that ends up on a printed list, and each makes two equal-looking texts differ."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def normalize_name(text: str) -> str:
    """Return *text* NFC-normalised, without format characters, with whitespace runs collapsed.

    Every run of Unicode whitespace (including non-breaking spaces) becomes
    one ASCII space and the ends are stripped. Case is left unchanged.
    """
    return _collapse_whitespace(without_format_characters(unicodedata.normalize("NFC", text)))


def split_name(full_name: str) -> tuple[str, str, str]:
    """Split a Vietnamese full name into ``(family, middle, given)``.

    The name is first passed through :func:`normalize_name`. The family name
    is the first word, the given name the last word and the middle name the
    words in between joined by one space (possibly ``""``). A single word is
    a given name: ``("", "", word)``; an empty name gives ``("", "", "")``.
    """
    words = normalize_name(full_name).split(" ")
    if words == [""]:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def search_key(text: str) -> str:
    """Return the accent- and case-insensitive search form of *text*.

    Combining marks are removed after NFD decomposition, ``đ``/``Đ`` become
    ``d``, the result is casefolded and its whitespace collapsed and
    stripped: ``"Nguyễn Văn Đức"`` -> ``"nguyen van duc"``. Apply it both to
    the stored search column and to the user's query.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not _is_mark(c))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").casefold()
    # Casefolding can itself produce combining marks; strip them again.
    decomposed = unicodedata.normalize("NFD", stripped)
    stripped = "".join(c for c in decomposed if not _is_mark(c))
    return _collapse_whitespace(stripped)


@functools.lru_cache(maxsize=32768)  # pure; name parts repeat a lot (Nguyễn, Văn, Thị …), lists sort thousands
def collation_key(
    text: str,
) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...], tuple[int, ...], str]:
    """Return a sort key putting strings in Vietnamese alphabetical order.

    The key is ``(primary, secondary, tertiary, identical)``, built only
    from tuples, ints and strings:

    * primary: one weight per character (base letter plus any letter
      modifier). Whitespace < digits < letters
      ``a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z``
      < any other character (by code point). Tones and case are ignored.
    * secondary: per character, the tone weight, ngang < huyền < hỏi <
      ngã < sắc < nặng; other combining marks come after the tones.
    * tertiary: per character, 0 for lowercase/uncased, 1 for uppercase.
    * identical: the NFD text, so keys are equal only for canonically
      equivalent strings (precomposed and decomposed input are equal).

    The string is compared as a whole (no whitespace collapsing); for a
    person's name use :func:`name_sort_key`.
    """
    nfd = unicodedata.normalize("NFD", text)
    primary: list[int] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[int] = []

    i = 0
    n = len(nfd)
    while i < n:
        base = nfd[i]
        i += 1
        marks: list[str] = []
        while i < n and _is_mark(nfd[i]):
            marks.append(nfd[i])
            i += 1

        is_upper = base.isupper()
        letter = _D_STROKE.get(base, base.lower())

        # A letter modifier that forms a Vietnamese letter is primary.
        tone_marks: list[str] = []
        for mark in marks:
            modified = _MODIFIED_LETTERS.get((letter, mark))
            if modified is not None:
                letter = modified
            else:
                tone_marks.append(mark)

        if letter in _LETTER_WEIGHTS:
            weight = _LETTER_WEIGHTS[letter]
        elif base.isspace():
            weight = _SPACE_WEIGHT
        elif base.isdecimal():
            weight = _DIGIT_BASE + unicodedata.decimal(base)
        else:
            weight = _OTHER_BASE + ord(base)

        primary.append(weight)
        secondary.append(
            tuple(
                sorted(
                    _TONE_WEIGHTS.get(mark, _OTHER_MARK_BASE + ord(mark))
                    for mark in tone_marks
                )
            )
        )
        tertiary.append(1 if is_upper else 0)

    return tuple(primary), tuple(secondary), tuple(tertiary), nfd


def name_sort_key(
    full_name: str,
    date_of_birth: date | None = None,
    cccd: str | None = None,
) -> tuple[object, ...]:
    """Return the sort key of a person on an official Vietnamese list.

    People are ordered by given name (last word), then middle name(s) as one
    string, then family name -- each with :func:`collation_key` -- then by
    date of birth (``None`` last), then by CCCD number as a string (``None``
    last). The name goes through :func:`normalize_name` first. The key holds
    only tuples, ints and strings, so it never raises ``TypeError`` when
    some people lack a date of birth or CCCD::

        sorted(people, key=lambda p: name_sort_key(p.full_name,
                                                   p.date_of_birth, p.cccd))
    """
    family, middle, given = split_name(full_name)
    dob_key = (1, 0) if date_of_birth is None else (0, date_of_birth.toordinal())
    cccd_key = (1, "") if cccd is None else (0, str(cccd))
    return (
        collation_key(given),
        collation_key(middle),
        collation_key(family),
        dob_key,
        cccd_key,
    )
