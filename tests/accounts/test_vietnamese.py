"""Tests for accounts.vietnamese (pure Python, no database needed)."""

from __future__ import annotations

import itertools
import random
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from accounts.vietnamese import (
    collation_key,
    name_sort_key,
    normalize_name,
    search_key,
    split_name,
)

REFERENCE_FILE = Path(__file__).parent / "data" / "vi-name-order.txt"


def _reference_names() -> list[str]:
    lines = REFERENCE_FILE.read_text(encoding="utf-8").splitlines()
    return [
        line.strip()
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _by_name(names: list[str]) -> list[str]:
    return sorted(names, key=name_sort_key)


def _collated(words: list[str]) -> list[str]:
    return sorted(words, key=collation_key)


def _assert_ascending(words: list[str]) -> None:
    """Assert *words* are strictly ascending and that sorting restores them."""
    for left, right in itertools.pairwise(words):
        assert collation_key(left) < collation_key(right), (left, right)
    for seed in range(5):
        shuffled = list(words)
        random.Random(seed).shuffle(shuffled)
        assert _collated(shuffled) == words


def _only_tuples_ints_strings(value: object) -> bool:
    if isinstance(value, tuple):
        return all(_only_tuples_ints_strings(item) for item in value)
    return isinstance(value, int | str)


# --- Reference file ----------------------------------------------------------


def test_the_reference_file_has_names() -> None:
    names = _reference_names()
    assert len(names) > 50
    assert len(set(names)) == len(names)


def test_it_orders_the_reference_file_from_any_shuffle() -> None:
    expected = _reference_names()
    for seed in (0, 1, 2, 7, 42, 2024, 31337):
        shuffled = list(expected)
        random.Random(seed).shuffle(shuffled)
        assert shuffled != expected  # the shuffle actually did something
        assert _by_name(shuffled) == expected, f"seed {seed}"


def test_it_orders_the_reversed_reference_file() -> None:
    expected = _reference_names()
    assert _by_name(list(reversed(expected))) == expected


# --- collation_key -----------------------------------------------------------


def test_it_orders_hoa_with_a_tone_before_hoan() -> None:
    # Tones are only secondary: primary "hoa" < "hoan" decides.
    _assert_ascending(["Hoa", "Hòa", "Hoan", "Hoàn"])


def test_it_orders_tones_ngang_huyen_hoi_nga_sac_nang() -> None:
    _assert_ascending(["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"])
    _assert_ascending(["an", "àn", "ản", "ãn", "án", "ạn"])


def test_it_orders_tones_position_by_position() -> None:
    # The first differing tone decides, whatever comes later.
    _assert_ascending(["Hoa Mạ", "Hoà Ma", "Hòa Ma"])


def test_it_orders_letter_modifiers_as_separate_letters() -> None:
    _assert_ascending(["a", "ă", "â", "b"])
    _assert_ascending(["d", "đ", "e"])
    _assert_ascending(["e", "ê", "g"])
    _assert_ascending(["o", "ô", "ơ", "p"])
    _assert_ascending(["u", "ư", "v"])


def test_it_orders_letter_modifiers_before_tones() -> None:
    # The modifier is primary, the tone only secondary.
    _assert_ascending(["An", "Anh", "Ánh", "Ăn", "Ân"])
    _assert_ascending(["Ạ", "Ă", "Ằ", "Ặ", "Â", "Ấ"])
    _assert_ascending(["Ọt", "Ốt", "Ợt", "Ụt", "Ừt"])


def test_it_orders_the_whole_vietnamese_alphabet() -> None:
    _assert_ascending(list("aăâbcdđeêghiklmnoôơpqrstuưvxy"))


def test_it_orders_foreign_letters_in_their_latin_positions() -> None:
    _assert_ascending(["Ê", "F", "G"])
    _assert_ascending(["I", "J", "K"])
    _assert_ascending(["V", "W", "X"])
    _assert_ascending(["Y", "Z"])
    _assert_ascending(["Eva", "Êm", "Fanny", "Giang"])


def test_it_orders_duc_between_dung_and_zung_unlike_plain_sorted() -> None:
    names = ["Zung", "Đức", "Dũng", "Dung", "Em"]
    assert _collated(names) == ["Dung", "Dũng", "Đức", "Em", "Zung"]
    # Plain code-point order puts Đ (U+0110) after every ASCII letter,
    # which is why collation_key exists.
    assert sorted(names)[-1] == "Đức"
    assert sorted(names).index("Đức") > sorted(names).index("Zung")


def test_it_orders_lowercase_before_uppercase() -> None:
    _assert_ascending(["an", "An", "AN", "án", "Án"])


def test_it_orders_case_after_tones() -> None:
    # Tone (secondary) outranks case (tertiary).
    _assert_ascending(["Ma", "mà"])


def test_it_orders_spaces_before_letters_and_digits_before_letters() -> None:
    _assert_ascending(["Hoa An", "Hoaa"])
    _assert_ascending(["Ha", "Hà", "Ha Anh", "Hai"])
    _assert_ascending(["A 1", "A 9", "A a"])
    _assert_ascending(["0", "1", "9", "a"])


def test_it_orders_prefixes_first() -> None:
    _assert_ascending(["T", "Tu", "Tuấn", "Tuyết"])


def test_it_gives_nfc_and_nfd_input_identical_keys() -> None:
    for word in ["Nguyễn", "Đặng", "Phượng", "Ưng", "Ấu", "Thị Ánh Tuyết"]:
        nfc = unicodedata.normalize("NFC", word)
        nfd = unicodedata.normalize("NFD", word)
        assert nfc != nfd
        assert collation_key(nfc) == collation_key(nfd)
        assert name_sort_key(nfc) == name_sort_key(nfd)


def test_it_handles_decomposed_marks_in_either_order() -> None:
    # "ợ" as o + dot below + horn (non-canonical order) and o + horn + dot.
    assert collation_key("o\u0323\u031b") == collation_key("ợ")
    assert collation_key("o\u031b\u0323") == collation_key("ợ")


def test_it_keeps_other_diacritics_as_secondary_differences() -> None:
    # A diaeresis is not a Vietnamese tone: same primary as "e", after tones.
    _assert_ascending(["Noe", "Noẹ", "Noë", "Nof"])


def test_it_gives_equal_keys_only_to_equal_strings() -> None:
    words = ["ha", "Ha", "hà", "Hà", "hả", "hă", "hâ", "ha ", "ha\u00a0", "h"]
    keys = [collation_key(word) for word in words]
    assert len(set(keys)) == len(words)


def test_it_builds_keys_only_from_tuples_ints_and_strings() -> None:
    assert _only_tuples_ints_strings(collation_key("Nguyễn Văn Đức 1 ö ø -"))
    assert _only_tuples_ints_strings(name_sort_key("Lê Văn Hà", date(2000, 1, 2), "1"))
    assert _only_tuples_ints_strings(name_sort_key("Lê Văn Hà"))


def test_it_handles_empty_strings() -> None:
    assert collation_key("") < collation_key(" ") < collation_key("a")
    assert _by_name(["An", "", "A"]) == ["", "A", "An"]


# --- name_sort_key -----------------------------------------------------------


def test_it_orders_by_given_name_first() -> None:
    assert _by_name(["Nguyễn Văn Bình", "Trần Văn An"]) == [
        "Trần Văn An",
        "Nguyễn Văn Bình",
    ]
    # A tone on the given name outranks everything in the middle/family name.
    assert _by_name(["Trần Thị Ánh", "Nguyễn Văn Anh"]) == [
        "Nguyễn Văn Anh",
        "Trần Thị Ánh",
    ]


def test_it_orders_by_middle_name_then_family_name() -> None:
    names = [
        "Võ Văn Hà",
        "Nguyễn Thị Thu Hà",
        "Trần Thị Hà",
        "Lê Văn Hà",
        "Nguyễn Thị Hà",
        "Bùi Hà",
    ]
    assert _by_name(names) == [
        "Bùi Hà",
        "Nguyễn Thị Hà",
        "Trần Thị Hà",
        "Nguyễn Thị Thu Hà",
        "Lê Văn Hà",
        "Võ Văn Hà",
    ]


def test_it_orders_family_names_with_vietnamese_letters() -> None:
    names = ["Zương Văn An", "Đỗ Văn An", "Dương Văn An", "Ân Văn An"]
    assert _by_name(names) == [
        "Ân Văn An",
        "Dương Văn An",
        "Đỗ Văn An",
        "Zương Văn An",
    ]


def test_it_orders_identical_names_by_date_of_birth_then_cccd() -> None:
    people = [
        ("Nguyễn Văn An", None, None),
        ("Nguyễn Văn An", None, "001200000002"),
        ("Nguyễn Văn An", date(2001, 5, 1), None),
        ("Nguyễn Văn An", date(2001, 5, 1), "001200000009"),
        ("Nguyễn Văn An", date(2001, 5, 1), "001200000001"),
        ("Nguyễn Văn An", date(1999, 12, 31), None),
        ("Nguyễn Văn An", None, "001200000001"),
    ]
    expected = [
        ("Nguyễn Văn An", date(1999, 12, 31), None),
        ("Nguyễn Văn An", date(2001, 5, 1), "001200000001"),
        ("Nguyễn Văn An", date(2001, 5, 1), "001200000009"),
        ("Nguyễn Văn An", date(2001, 5, 1), None),
        ("Nguyễn Văn An", None, "001200000001"),
        ("Nguyễn Văn An", None, "001200000002"),
        ("Nguyễn Văn An", None, None),
    ]
    for seed in range(5):
        shuffled = list(people)
        random.Random(seed).shuffle(shuffled)
        assert sorted(shuffled, key=lambda p: name_sort_key(*p)) == expected


def test_it_orders_names_before_date_of_birth() -> None:
    people = [
        ("Trần Văn Bình", date(1990, 1, 1), "1"),
        ("Lê Văn An", None, None),
    ]
    ordered = sorted(people, key=lambda p: name_sort_key(*p))
    assert [p[0] for p in ordered] == ["Lê Văn An", "Trần Văn Bình"]


def test_it_accepts_keyword_arguments_and_objects() -> None:
    @dataclass
    class Person:
        full_name: str
        date_of_birth: date | None
        cccd: str | None

    people = [
        Person("Phạm Văn Đức", None, None),
        Person("Vũ Văn Dũng", date(2000, 1, 1), "079200000001"),
        Person("Đinh Thị Dung", None, "079200000002"),
    ]
    ordered = sorted(
        people,
        key=lambda p: name_sort_key(
            full_name=p.full_name, date_of_birth=p.date_of_birth, cccd=p.cccd
        ),
    )
    assert [p.full_name for p in ordered] == [
        "Đinh Thị Dung",
        "Vũ Văn Dũng",
        "Phạm Văn Đức",
    ]


def test_it_ignores_extra_whitespace_in_full_names() -> None:
    assert name_sort_key("  Nguyễn\u00a0 Văn\tAn ") == name_sort_key("Nguyễn Văn An")


# --- search_key --------------------------------------------------------------


def test_search_key_strips_accents_and_case() -> None:
    assert search_key("Nguyễn Văn Đức") == "nguyen van duc"
    assert search_key("ĐẶNG") == "dang"
    assert search_key("Phượng") == "phuong"
    assert search_key("Ưng Ơn Ân Ăn Ê Ô") == "ung on an an e o"


def test_search_key_collapses_whitespace_and_nbsp() -> None:
    assert search_key("  Trần\u00a0\u00a0Thị \t Thu\nHà  ") == "tran thi thu ha"
    assert search_key("\u00a0") == ""
    assert search_key("") == ""


def test_search_key_matches_queries_against_stored_names() -> None:
    stored = search_key("Phạm Văn Đức")
    for query in ["duc", "Đức", "DUC", "pham van", "PHẠM", "văn  đức"]:
        assert search_key(query) in stored, query
    assert search_key("NGUYEN") in search_key("Nguyễn Thị Hà")


def test_search_key_is_the_same_for_nfc_and_nfd() -> None:
    name = "Nguyễn Thị Ánh Tuyết"
    assert search_key(unicodedata.normalize("NFD", name)) == search_key(name)
    assert search_key(unicodedata.normalize("NFD", name)) == "nguyen thi anh tuyet"


# --- split_name --------------------------------------------------------------


def test_split_name_splits_family_middle_given() -> None:
    assert split_name("Nguyễn Văn An") == ("Nguyễn", "Văn", "An")
    assert split_name("Nguyễn Thị Thu Hà") == ("Nguyễn", "Thị Thu", "Hà")
    assert split_name("Bùi Ưng") == ("Bùi", "", "Ưng")


def test_split_name_handles_single_word_and_empty() -> None:
    assert split_name("Madonna") == ("", "", "Madonna")
    assert split_name("") == ("", "", "")
    assert split_name(" \u00a0\t") == ("", "", "")


def test_split_name_collapses_whitespace() -> None:
    assert split_name("  Tôn  Nữ\u00a0Thị   Ninh ") == ("Tôn", "Nữ Thị", "Ninh")


# --- normalize_name ----------------------------------------------------------


def test_normalize_name_converts_nfd_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert nfd != "Nguyễn Văn Đức"
    result = normalize_name(nfd)
    assert result == "Nguyễn Văn Đức"
    assert unicodedata.is_normalized("NFC", result)


def test_normalize_name_collapses_whitespace_but_keeps_case() -> None:
    assert normalize_name("  NGUYỄN \u00a0 văn\t\tAn\n") == "NGUYỄN văn An"
    assert normalize_name("") == ""


# --- Property-style ----------------------------------------------------------

_FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Đỗ", "Dương", "Ưng", "Âu"]
_SYLLABLES = [
    "An", "Ăn", "Ân", "Anh", "Ánh", "Bình", "Dung", "Dũng", "Đức", "Hà", "Hạ",
    "Hoa", "Hòa", "Hoan", "Hương", "Hưng", "Mai", "Mỹ", "My", "Ngọc", "Ô", "Ơn",
    "Thị", "Thu", "Thư", "Văn", "Vân", "Yến",
]  # fmt: skip
_DATES = [None, date(1990, 1, 1), date(1990, 1, 2), date(2005, 12, 31)]
_CCCDS = [None, "001090000001", "001090000002", "079205000123"]


def _random_people(seed: int, count: int) -> list[tuple[str, date | None, str | None]]:
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        words = [rng.choice(_FAMILIES)]
        words += rng.choices(_SYLLABLES, k=rng.randint(0, 2))
        words.append(rng.choice(_SYLLABLES))
        people.append((" ".join(words), rng.choice(_DATES), rng.choice(_CCCDS)))
    # Force exact duplicates and same-name-different-data cases.
    people += people[:5]
    people += [(name, None, None) for name, _, _ in people[5:10]]
    return people


def test_it_orders_random_names_totally_and_consistently() -> None:
    for seed in (1, 2, 3):
        people = _random_people(seed, 120)

        def key(person: tuple[str, date | None, str | None]) -> tuple[object, ...]:
            return name_sort_key(*person)

        ordered = sorted(people, key=key)
        # Idempotent, and independent of the input order.
        assert sorted(ordered, key=key) == ordered
        assert sorted(reversed(ordered), key=key) == ordered
        for shuffle_seed in range(3):
            shuffled = list(people)
            random.Random(shuffle_seed).shuffle(shuffled)
            assert sorted(shuffled, key=key) == ordered

        # Keys are equal exactly when the people are identical.
        for a, b in itertools.combinations(people, 2):
            assert (key(a) == key(b)) == (a == b), (a, b)

        # Adjacent elements are non-decreasing, strictly when different.
        for a, b in itertools.pairwise(ordered):
            assert key(a) <= key(b)
            if a != b:
                assert key(a) < key(b)

        # Given name is the most significant part of the order.
        givens = [collation_key(split_name(p[0])[2]) for p in ordered]
        assert givens == sorted(givens)
