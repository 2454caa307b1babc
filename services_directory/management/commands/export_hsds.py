from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from services_directory.hsds.exporting import write_package


class Command(BaseCommand):
    help = (
        "Export the service directory as Open Referral HSDS 3.0: DIR/services.json (full service documents) and "
        "DIR/csv/ (the tabular package). Confidential locations' addresses and coordinates are left out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        counts = write_package(directory)
        self.stdout.write(f"{counts.pop('services.json')} services written to {directory / 'services.json'}")
        rows = ", ".join(f"{table} {count}" for table, count in sorted(counts.items()) if count)
        self.stdout.write(f"CSV tables in {directory / 'csv'}: {rows}")
