"""How the contest's times read on its pages and lists: time taken in seconds with three decimals (12,345), the
submission time to the millisecond in local time (dd/mm/yyyy hh:mm:ss.mmm)."""
from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def seconds3(milliseconds) -> str:
    if milliseconds is None:
        return ""
    return f"{milliseconds / 1000:.3f}".replace(".", ",")


@register.filter
def to_millisecond(moment) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return local.strftime("%d/%m/%Y %H:%M:%S.") + f"{local.microsecond // 1000:03d}"
