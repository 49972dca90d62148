from django.core.management.base import BaseCommand

from courses.certificate_render import render_pending


class Command(BaseCommand):
    help = ("Render the PDFs of every issued certificate still waiting for them (issuing starts this on its own in "
            "the background; run it after a restart or to retry the ones that failed). Exit code 1 when any failed: "
            "their error is kept on the certificate.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Render at most this many certificates.")

    def handle(self, *args, limit: int | None, **options):
        report = render_pending(limit=limit)
        self.stdout.write(f"rendered={report.rendered} failed={report.failed}")
        if report.failed:
            raise SystemExit(1)
