from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from exams.banks.models import Bank, Question
from exams.banks.services import questions_approve
from exams.management.commands._common import object_or_exit, user_or_exit


class Command(BaseCommand):
    help = "Approve every draft of a bank not written or imported by USERNAME (four eyes); list what was skipped."

    def add_arguments(self, parser):
        parser.add_argument("--bank", type=int, required=True)
        parser.add_argument("--as", dest="as_user", required=True)

    def handle(self, *args, bank, as_user, **options):
        bank = object_or_exit(Bank, bank, _("No question bank has the id {id}.").format(id=bank))
        actor = user_or_exit(as_user)
        drafts = Question.objects.filter(bank=bank, is_current=True, status=Question.Status.DRAFT).order_by("pk")
        result = questions_approve(questions=list(drafts), actor=actor)
        for pk, reason in result.skipped:
            self.stdout.write(_("Skipped question #{id}: {reason}").format(id=pk, reason=reason))
        self.stdout.write(f"approved={len(result.done)} skipped={len(result.skipped)}")
