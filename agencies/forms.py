from typing import Any

from allauth.account import forms as account_forms
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies import lockout
from agencies.models import Agency, Role, User
from agencies.roles import role_choices_for
from portal.audit import Outcome, audit_record


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with the system-use notice that must be acknowledged first."""

    acknowledge = forms.BooleanField(
        label=_("I have read and accept the system-use notice."),
        required=True,
        error_messages={"required": _("You must accept the system-use notice to sign in.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Place the acknowledgement after e-mail and password, before the button.
        self.order_fields(["login", "password", "acknowledge"])

    def clean(self) -> dict[str, Any]:
        # Refuse before allauth tries the password: without the acknowledgement nobody signs in, and no
        # failed attempt is counted against the account.
        if not self.cleaned_data.get("acknowledge"):
            return self.cleaned_data
        return super().clean()


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Work e-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.filter(is_active=True), required=True)

    def __init__(
        self, *args: Any, agencies: QuerySet[Agency], fixed_agency: Agency | None = None, **kwargs: Any
    ) -> None:
        """``agencies``: those the inviter may choose from; ``fixed_agency``: the one they invite to, without a
        choice (an agency administrator's own)."""
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies.filter(is_active=True)
        if fixed_agency is not None:
            del self.fields["agency"]
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = role_choices_for(fixed_agency)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = role_choices_for(agency)


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


_LOCKED = _("This account is locked after too many failed attempts. Ask your agency administrator to unlock it.")


class _RefusedWhenLocked:
    """A check of a second factor or a password that a locked account does not get: it is refused before the
    code or password is looked at, so a locked account gives no hint whether a guess was right."""

    user: User

    def _refuse_if_locked(self) -> None:
        if lockout.is_locked(self.user.email):
            audit_record(
                action="auth.mfa.failed"
                if isinstance(self, mfa_forms.BaseAuthenticateForm)
                else "auth.password.failed",
                actor=self.user,
                request=context.request,
                outcome=Outcome.DENIED,
                details={"account_locked": True},
            )
            raise forms.ValidationError(_LOCKED, code="locked")


class MFAAuthenticateForm(_RefusedWhenLocked, mfa_forms.AuthenticateForm):
    def clean_code(self) -> str:
        self._refuse_if_locked()
        return super().clean_code()


class MFAReauthenticateForm(_RefusedWhenLocked, mfa_forms.ReauthenticateForm):
    def clean_code(self) -> str:
        self._refuse_if_locked()
        return super().clean_code()


class ChangePasswordForm(_RefusedWhenLocked, account_forms.ChangePasswordForm):
    """A wrong current password counts toward the lockout like a wrong password at sign-in."""

    def clean_oldpassword(self) -> str:
        self._refuse_if_locked()
        try:
            return super().clean_oldpassword()
        except forms.ValidationError:
            lockout.password_check_failed(context.request, self.user)
            raise
