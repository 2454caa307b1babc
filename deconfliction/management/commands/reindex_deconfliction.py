from typing import Any

from django.core.management.base import BaseCommand

from deconfliction.subjects import services


class Command(BaseCommand):
    help = (
        "Rebuild the subject deconfliction index from the cases and tips as they stand (after a restore, or once "
        "an agency joined a task force). Matches found on the way are told as usual."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{services.reindex_all()} entries written.")
