"""Papers and answer keys as PDF for paper sittings (WeasyPrint; fonts with Vietnamese glyphs)."""

from __future__ import annotations

from django.template.loader import render_to_string

from accounts.models import OrganisationProfile
from exams.banks import selectors
from exams.papers.models import Paper


def paper_items(paper: Paper) -> list[tuple[selectors.CandidateItem, list[str]]]:
    """Each item as the candidate sees it, with the letters of its correct choices in that order."""
    result = []
    items = paper.items.select_related("question").prefetch_related("question__choices").order_by("position")
    for item in items:
        choices = list(item.question.choices.all())
        view = selectors.candidate_item(number=item.position + 1, question=item.question, choices=choices,
                                        order=item.choice_order, points=item.points)
        correct_ids = {c.pk for c in choices if c.is_correct}
        letters = [c.letter for c in view.choices if c.id in correct_ids]
        if not letters and item.question.accepted_answers:
            letters = [" | ".join(item.question.accepted_answers)]
        result.append((view, letters))
    return result


def paper_pdf(paper: Paper, *, answer_key: bool) -> bytes:
    from weasyprint import HTML

    html = render_to_string("exams/paper_pdf.html", {
        "paper": paper, "items": paper_items(paper), "answer_key": answer_key,
        "profile": OrganisationProfile.current(),
    })
    return HTML(string=html).write_pdf()
