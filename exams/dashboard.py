from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def bank_items(user):
    return [(_("Question banks"), reverse("bank_list"))]


def exam_items(user):
    return [(_("Exam sessions"), reverse("exam_list"))]


def candidate_items(user):
    return [(_("My exams"), reverse("my_exams"))]


def invigilator_items(user):
    return [(_("My sittings and rooms"), reverse("my_sittings"))]


def marker_items(user):
    return [(_("My scripts to mark"), reverse("marking_queue"))]
