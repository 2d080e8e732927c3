from django.conf import settings
from django.core.management.base import BaseCommand

from surveys.retention import comment_text_retention_apply


class Command(BaseCommand):
    help = (
        "Delete comment text older than CANDOR_RETENTION_MONTHS (rounds closed, always-open months ended, that long"
        " ago). Scores, themes and reports are kept. Beat runs this daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        months = settings.CANDOR_RETENTION_MONTHS
        if not months:
            self.stdout.write("Retention is off (CANDOR_RETENTION_MONTHS=0): comment text is kept.")
            return
        counts = comment_text_retention_apply(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} the text of {counts.round_comments} round comments and {counts.open_feedback_comments}"
            f" always-open comments (retention: {months} months)."
        )
