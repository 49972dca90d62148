from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def bank_items(user):
    return [(_("Question banks"), reverse("bank_list"))]
