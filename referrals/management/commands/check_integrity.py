"""``manage.py check_integrity``: verify what the services promise, on a live database or a restored backup
(docs/backups.md). Prints per check the rows checked and the problems found (ids only, never PII); exits 1 if any
check found a problem, 0 otherwise. It only reads, and streams: see ``referrals.integrity`` and ``cases.integrity``
for what each check costs."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.integrity import CheckResult, check_case_permissions, check_documents
from referrals.integrity import check_referral_audit, check_referral_statuses


class Command(BaseCommand):
    help = (
        "Check that referral statuses match their events, events have their audit rows, shares have exactly their "
        "permission rows and documents their files. Exit code 1 if anything is inconsistent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=100, help="problems listed per check (0: all; the counts are always exact)"
        )

    def handle(self, *args: Any, limit: int = 100, **options: Any) -> None:
        results = [
            check_referral_statuses(limit=limit),
            check_referral_audit(limit=limit),
            check_case_permissions(limit=limit),
            check_documents(limit=limit),
        ]
        for result in results:
            self._print(result)
        failed = sum(result.problem_count for result in results)
        if failed:
            raise CommandError(f"Integrity check failed: {failed} problem(s).", returncode=1)
        self.stdout.write(self.style.SUCCESS("Integrity check passed: 0 problems."))

    def _print(self, result: CheckResult) -> None:
        checked = ", ".join(f"{count} {what}" for what, count in result.checked.items())
        self.stdout.write(f"{result.name}: checked {checked}; {result.problem_count} problem(s)")
        for problem in result.problems:
            self.stdout.write(f"  PROBLEM {problem}")
        if result.problem_count > len(result.problems):
            self.stdout.write(f"  ... and {result.problem_count - len(result.problems)} more (--limit 0 lists all)")
        for line in result.info:
            self.stdout.write(f"  info: {line}")
