"""allauth adapters: accounts come only from invitations, and nobody removes their last second factor."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from portal.middleware import has_second_factor


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Changing authenticators asks for the password again, except the first enrolment that follows the
        password sign-in: a person with no second factor yet has nothing more to prove, and asking twice in a
        row only teaches people to type their password without thinking."""
        user = getattr(context.request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated and not has_second_factor(user):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """MFA is required (portal.middleware.MFARequiredMiddleware): keep at least one TOTP or security key."""
        second_factors = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exclude(pk=authenticator.pk)
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return False
        return second_factors.exists()
