"""manage.py audit_disclosure ROUND_ID: the independent attacker (DESIGN.md P5) against a round's publication."""

from django.core.management.base import BaseCommand, CommandError

from reports.attacker import AttackLimits, attack


class Command(BaseCommand):
    help = (
        "Attack the round's published snapshot as an analyst who knows the roster would: an integer program over "
        "the roster's cells, the overall count and every published number (answer histograms included) tries to "
        "pin a group under k, an answer in a cell under k, or anyone's taking part. Exits with an error on any "
        "finding, and when the attack cannot finish within its limits."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", help="The round's id, as in the address of its HR page.")
        parser.add_argument("--seconds", type=float, default=AttackLimits.seconds, help="Time budget of the attack.")
        parser.add_argument("--max-milps", type=int, default=AttackLimits.max_milps, help="Most MILPs to solve.")

    def handle(self, *args, round_id, seconds, max_milps, **options):
        # Imported here: the attacker must stay apart from the code that builds the tables, and only this adapter
        # (the snapshot as plain dataclasses) may know both.
        from reports.audit import round_attack_inputs
        from reports.models import ReportSnapshot

        if not ReportSnapshot.objects.filter(round_id=round_id).exists():
            raise CommandError("This round has published nothing yet: it is open, or had fewer than k submissions.")
        report = attack(round_attack_inputs(round_id), limits=AttackLimits(seconds=seconds, max_milps=max_milps))
        self.stdout.write(str(report))
        if report.findings:
            raise CommandError(f"{len(report.findings)} findings: the publication pins what it must not.")
        if report.inconclusive:
            raise CommandError("The attack was inconclusive, which counts as a failure.")
