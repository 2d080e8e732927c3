"""manage.py audit_disclosure ROUND_ID: try to recover every hidden number of a round's published reports."""

from django.core.management.base import BaseCommand, CommandError

from reports.audit import audit_tables, engine_tables
from reports.models import ReportSnapshot
from reports.snapshots import snapshot_engine


class Command(BaseCommand):
    help = (
        "Ask the round's report snapshot every query the pages and exports allow (each measure, overall and by "
        "each attribute, under every allowed filter), then attack all published tables together by linear "
        "programming. Exits with an error if any hidden count can be recovered."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", help="The round's id, as in the address of its HR page.")

    def handle(self, *args, round_id, **options):
        snapshot = ReportSnapshot.objects.defer("engine").filter(round_id=round_id).first()
        if snapshot is None:
            raise CommandError(f"No report has been built for round {round_id} yet (no responses released?).")
        engine = snapshot_engine(snapshot)
        tables, refused = engine_tables(engine=engine)
        report = audit_tables(tables=tables, queries_refused=refused)
        self.stdout.write(str(report))
        for recovery in report.recovered:
            self.stdout.write(f"  recovered: {recovery}")
        if not report.passed:
            raise CommandError(f"{len(report.recovered)} hidden counts can be recovered.")
