"""``manage.py export_round --round ID --list ranking|winners --out FILE.xlsx`` (docs/operations.md, "Commands")."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from contests.exports import LISTS, list_exported, write_list
from contests.models import Round


class Command(BaseCommand):
    help = "Write a closed contest round's ranking or winners list (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_id", type=int, required=True, help="Id of the contest round.")
        parser.add_argument("--list", dest="list_kind", required=True, choices=LISTS, help="Which list.")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")

    def handle(self, *args, round_id: int, list_kind: str, out: str, **options):
        contest_round = Round.objects.select_related("contest").filter(pk=round_id).first()
        if contest_round is None:
            raise CommandError(_("No contest round has the id {id}.").format(id=round_id), returncode=1)
        if contest_round.status == Round.Status.SCHEDULED:
            raise CommandError(_("The round is not closed and ranked yet: close it first."), returncode=1)
        try:
            rows = write_list(contest_round, list_kind, out)
        except OSError as exc:
            raise CommandError(_("File: {message}").format(message=_("cannot write {path}: {error}").format(
                path=out, error=exc.strerror or exc)), returncode=1) from exc
        list_exported(contest_round=contest_round, list_kind=list_kind, rows=rows, actor=None, file=out)
        self.stdout.write(f"rows={rows}")
