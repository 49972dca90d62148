"""``{{ value|score }}``: a mark or score as a Vietnamese page writes it (72,5; 80), never "75,5000"."""
from django import template

from exams.results.display import score_text

register = template.Library()


@register.filter
def score(value) -> str:
    return score_text(value)
