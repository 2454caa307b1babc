"""Release a locked account from the server's command line: ``manage.py unlock_account EMAIL``.

For any account, the superuser's included (nobody can unlock a superuser in the portal when the superuser is the
one locked). Goes through ``agencies.services.user_unlock``, which audits it (``via: command``, no actor).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies import services
from agencies.models import User


class Command(BaseCommand):
    help = "Release an account locked after repeated failed sign-ins (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        address = email.strip().lower()
        user = User.objects.select_related("_membership__agency").filter(email__iexact=address).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {address!r}; nothing was unlocked.")
        was_locked = services.user_unlock(user=user, actor=None)
        if was_locked:
            self.stdout.write(f"Unlocked {user.email} ({user.full_name}). The release is in the audit trail.")
        else:
            self.stdout.write(
                f"{user.email} ({user.full_name}) was not locked; its failed sign-ins were cleared and the release "
                "is in the audit trail."
            )
