"""A learner's anonymous feedback on a module and its lecturer (docs/courses.md, "Feedback").

One call writes two rows that share nothing but the module: ``FeedbackGiven`` (this learner has rated this module and
lecturer, so they rate it once) and ``FeedbackRating`` (the stars and the comment, with no learner, no time and a
random key). No audit record is written: an entry naming the learner beside the moment they rated would let anyone
who also saw the summaries before and after tell which rating was theirs, and the ``FeedbackGiven`` row already says
all there is to say about them (that they gave feedback). Nothing of anyone's record changes here.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courses.feedback_selectors import MAX_COMMENT, class_targets
from courses.models import Enrolment, FeedbackGiven, FeedbackRating, Module


def _already() -> ValidationError:
    return ValidationError(_("You have already given your feedback on this module and lecturer: it can be given "
                             "once only."))


def feedback_give(*, enrolment: Enrolment, module: Module, lecturer: User | None, stars: int, comment: str,
                  actor: User, now: dt.datetime | None = None) -> None:
    """Record the learner's rating of ``module`` (and ``lecturer``, one who taught a session of it in the class, or
    None when its sessions name none): 1–5 stars and an optional comment of at most 2,000 characters. Refused
    (ValidationError, nothing written) before the module's last session in the class has ended (with no session, before
    the class's last day is over), for a lecturer who did not teach it there, or the second time. Only the learner
    themselves gives it (PermissionDenied)."""
    if actor is None or actor.pk != enrolment.person_id:
        raise PermissionDenied
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(_("A comment is at most %(n)s characters long.") % {"n": MAX_COMMENT})
    if stars not in (1, 2, 3, 4, 5):
        raise ValidationError(_("Choose from 1 to 5 stars."))
    now = now or timezone.now()
    targets = [t for t in class_targets(enrolment.course_class) if t.module.pk == module.pk]
    if not targets:
        raise ValidationError(_("This module is not part of your class's programme."))
    lecturer_id = lecturer.pk if lecturer is not None else None
    target = next((t for t in targets if t.lecturer_id == lecturer_id), None)
    if target is None:
        raise ValidationError(_("Rate a lecturer who taught this module in your class."))
    if now < target.opens_at:
        raise ValidationError(_("Feedback on this module opens at %(when)s, once it has been taught.")
                              % {"when": timezone.localtime(target.opens_at).strftime("%H:%M %d/%m/%Y")})
    with transaction.atomic():
        if FeedbackGiven.objects.filter(enrolment=enrolment, module=module, lecturer=lecturer).exists():
            raise _already()
        try:
            with transaction.atomic():
                FeedbackGiven.objects.create(enrolment=enrolment, module=module, lecturer=lecturer)
        except IntegrityError:  # the same learner's other tab got there first
            raise _already() from None
        FeedbackRating.objects.create(course_class_id=enrolment.course_class_id, module=module, lecturer=lecturer,
                                      stars=stars, comment=comment)
