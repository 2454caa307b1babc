"""allauth adapters: accounts come only from invitations, and nobody removes their last second factor."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """MFA is required (portal.middleware.MFARequiredMiddleware): keep at least one TOTP or security key."""
        second_factors = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exclude(pk=authenticator.pk)
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return False
        return second_factors.exists()
