"""Load the fictional Gulf Coast task force for the demo: ``manage.py seed_demo``.

Each domain app may have a ``demo.py`` with ``seed(rng, stdout)``; they run in ``INSTALLED_APPS`` order (agencies
first) with one random generator of fixed seed, so two runs give the same data. Running it again changes nothing.
"""

import random
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal.sqlite import gather_statistics

DEMO_SEED = 2026


class Command(BaseCommand):
    help = "Load the demo task force, agencies and users (fictional). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even though DJANGO_DEBUG is off.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with DJANGO_DEBUG off. "
                "Use --force on a throw-away database only."
            )
        rng = random.Random(DEMO_SEED)  # noqa: S311  (reproducible demo data, not secrets)
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if not self._is_project_app(app_config.path):
                    continue
                module_name = f"{app_config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(rng=rng, stdout=self.stdout)
        gather_statistics()  # SQLite plans the case list's permission check well only with statistics
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. See README.md for the accounts."))

    @staticmethod
    def _is_project_app(path: str) -> bool:
        app_path = Path(path).resolve()
        return app_path.is_relative_to(settings.BASE_DIR) and ".venv" not in app_path.parts
