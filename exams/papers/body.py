"""The paper as every candidate holding it sees it: the question grid and the questions, written as HTML.

This is the start spike's heaviest output (30 questions, 120 options, per candidate): the template engine took
~20 ms for it on the exam machine, plain string building takes well under one. The markup of each question is
exactly ``exams/_candidate_item.html`` (the author's preview and the paper preview use that template);
tests/exams/test_perf_start.py checks that the two never drift.

Nothing of one candidate's (answers, flags, time) is in it: exam.js fills those in, so a body can be cached per
sealed paper. Question and option texts are sanitised when they are stored and written as they are (the template
writes them with ``|safe`` too); everything else is escaped.
"""

from __future__ import annotations

from django.utils.formats import localize
from django.utils.html import escape
from django.utils.translation import gettext as _

from exams.banks.selectors import CandidateItem


def _item(item: CandidateItem, label: str, words: dict[str, str]) -> str:
    points = f' <span class="muted">({escape(localize(item.points))} {words["points"]})</span>' if item.points else ""
    number = item.number
    # The question (its number and text) names the answer field or the group of options: what a screen reader
    # says when the candidate reaches them. The heading takes the focus when the page shows the question.
    named = f'aria-labelledby="q-{number}-title q-{number}-text"'
    parts = [f'<article class="candidate-item" data-kind="{escape(item.kind)}">',
             f'<h3 class="item-number" id="q-{number}-title" tabindex="-1">{escape(label)}{points}</h3>',
             f'<div class="item-text" id="q-{number}-text">{item.text}</div>']
    if item.kind == "short":
        parts.append(f'<input type="text" id="answer-{number}" name="answer-{number}" autocomplete="off" '
                     f'maxlength="{item.max_length}" {named} >')
    elif item.kind == "essay":
        parts.append(f'<textarea id="answer-{number}" rows="8" maxlength="{item.max_length}" {named} ></textarea>')
    else:
        parts.append(f'<fieldset class="choices" {named}>')
        input_type = item.input_type
        parts.extend(
            f'<label class="choice"><input type="{input_type}" name="item-{number}" value="{choice.id}" >'
            f' <span class="letter">{choice.letter}.</span> <span class="choice-text">{choice.text}</span></label>'
            for choice in item.choices)
        parts.append("</fieldset>")
    parts.append("</article>")
    return "\n".join(parts)


def paper_body_html(items: list[tuple[CandidateItem, int, str]], *, one_per_screen: bool) -> str:
    """``items`` as ``exams.sessions.examday_cache.paper_items`` reads them: (item, position, label)."""
    words = {key: escape(text) for key, text in (
        ("points", _("points")), ("flag", _("Flag for review")), ("previous", _("Previous")), ("next", _("Next")),
        ("questions", _("Questions")))}
    steps = (f' <button type="button" class="secondary" data-prev>← {words["previous"]}</button>'
             f' <button type="button" class="secondary" data-next>{words["next"]} →</button>') if one_per_screen else ""
    out = ['<div class="exam-layout">',
           f'<nav class="qgrid" aria-label="{words["questions"]}" id="qgrid">',
           "".join(f'<button type="button" class="qbtn" data-go="{position}" aria-label="{escape(label)}">'
                   f'{item.number}</button>' for item, position, label in items),
           "</nav>",
           f'<form id="paper" class="paper{" one-per-screen" if one_per_screen else ""}">']
    for item, position, label in items:
        out.append(f'<div class="qwrap" data-position="{position}" data-kind="{escape(item.kind)}">')
        out.append(_item(item, label, words))
        out.append(f'<p class="qtools"><button type="button" class="secondary flag" data-flag="{position}">'
                   f'{words["flag"]}</button>{steps}</p></div>')
    out.append("</form></div>")
    return "\n".join(out)
