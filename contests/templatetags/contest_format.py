"""How the contest's times read on its pages, as on its lists (contests.exports): time taken in seconds with three
decimals (135,250), the submission time to the millisecond in local time (dd/mm/yyyy hh:mm:ss.mmm)."""
from django import template

from contests.exports import moment_text, seconds_text

register = template.Library()
register.filter("seconds3", seconds_text)
register.filter("to_millisecond", moment_text)
