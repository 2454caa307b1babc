from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deconfliction.subjects import keys, services
from deconfliction.subjects.models import SubjectEntry


class Command(BaseCommand):
    help = (
        "Re-derive the subject deconfliction index under the current key (the first of DECONFLICTION_KEYS), case by "
        "case and tip by tip, while the portal runs: checks match under every listed key meanwhile. Once it reports "
        "no entry left under an older key, remove that key from DECONFLICTION_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="cases and tips rebuilt per round")

    def handle(self, *args: Any, batch: int = 500, **options: Any) -> None:
        current = keys.current().key_id
        rewritten = services.rotate(batch=batch)
        left = SubjectEntry.objects.exclude(key_id=current).count()
        self.stdout.write(f"{rewritten} entries re-derived under key {current!r}; {left} left under older keys.")
