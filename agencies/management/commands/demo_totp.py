"""Print the current authenticator code of a demo account: ``manage.py demo_totp dana.reyes@fbi.example``."""

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.demo import PEOPLE, SUPERUSER, demo_totp_secret

DEMO_EMAILS = {email for email, *_ in PEOPLE} | {SUPERUSER[0]}


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (demo accounts only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--uri", action="store_true", help="Print the otpauth:// URI to add to an app instead.")

    def handle(self, *args: Any, email: str, uri: bool = False, **options: Any) -> None:
        email = email.strip().lower()
        if email not in DEMO_EMAILS:
            raise CommandError(f"{email} is not a demo account. Demo accounts: {', '.join(sorted(DEMO_EMAILS))}")
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DJANGO_DEBUG on (demo accounts only).")
        secret = demo_totp_secret(email)
        if uri:
            self.stdout.write(f"otpauth://totp/HT%20Portal:{email}?secret={secret}&issuer=HT%20Portal")
            return
        now = time.time()
        counter = int(now) // mfa_settings.TOTP_PERIOD
        remaining = mfa_settings.TOTP_PERIOD - int(now) % mfa_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
        self.stderr.write(f"(valid for {remaining} more seconds; each code signs in once)")
