#!/usr/bin/env python
import os
import sys

# Commands that only read the code, never serve a request or sign anything: they run without the production
# secrets, so that `manage.py makemigrations --check` works on a developer's machine as it is. Every other command
# still refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS when debug is off.
CODE_ONLY_COMMANDS = {"makemigrations"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", "code-only-command-" + "x" * 40)
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
