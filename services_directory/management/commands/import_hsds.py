from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.sqlite import gather_statistics
from services_directory.hsds.importing import ImportRefused, hsds_import
from services_directory.hsds.reporting import report_lines


class Command(BaseCommand):
    help = (
        "Import Open Referral HSDS 3.0 data into the service directory: a JSON file holding a list of service "
        "documents, or a folder holding the CSV tabular package. Upserts by HSDS id; invalid data writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            report = hsds_import(path=path)
        except ImportRefused as refused:
            for note in refused.notes:
                self.stderr.write(note)
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{path.name}: nothing imported, {len(refused.problems)} problem(s) found") from None
        gather_statistics()  # SQLite's planner needs statistics of what was just loaded
        for line in report_lines(report):
            self.stdout.write(line)
