from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PortalAdminSite(admin.AdminSite):
    """The Django admin, for superusers only, signing in through the portal.

    Some models that libraries register are kept out, because the portal changes them only through its audited
    services: role and agency groups (made in code: agencies/roles.py, agency_create), e-mail addresses and
    sessions (allauth's own pages), authenticators (reset on the People page), lockout rows (unlocked on the People
    page). Others are shown but never changed here.
    """

    site_header = _("HT Portal administration")
    site_title = _("HT Portal administration")

    excluded_models = frozenset(
        {
            "auth.group",
            "account.emailaddress",
            "account.emailconfirmation",
            "usersessions.usersession",
            "mfa.authenticator",
        }
    )
    read_only_models = frozenset({"auditlog.logentry", "django_tasks_database.dbtaskresult"})

    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models:
            label = model._meta.label_lower
            if label in self.excluded_models:
                continue
            model_admin = admin_class or admin.ModelAdmin
            if label in self.read_only_models:
                model_admin = type(f"ReadOnly{model_admin.__name__}", (ReadOnlyAdminMixin, model_admin), {})
            super().register(model, model_admin, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Superusers only: staff who are not superusers would see every agency's records here."""
        return request.user.is_active and request.user.is_superuser

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Never a second sign-in page: the admin uses the portal's, with its notice, lockout and MFA. A person
        who is signed in but not a superuser is refused here, rather than sent round to sign in again."""
        if request.user.is_authenticated:
            raise PermissionDenied(_("The administration is for the portal's administrators."))
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
