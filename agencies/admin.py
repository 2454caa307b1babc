"""Superusers manage agencies and task forces here; agency admins manage their people in the portal itself."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Invitation, Membership, TaskForce, TaskForceMember, User
from agencies.services import agency_create, user_deactivate, user_reactivate
from portal.admin import AuditedModelAdmin
from portal.http import AuthenticatedHttpRequest


class MembershipInline(admin.StackedInline):
    model = Membership
    fk_name = "user"
    extra = 0
    can_delete = False
    verbose_name_plural = _("Membership (people join through invitations; roles change in the portal, audited)")

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    # Deactivation ends the person's sessions: it goes through the service (the actions below), not a checkbox.
    readonly_fields = ["is_active", "last_login", "date_joined", "second_factors_reset_at"]
    inlines = [MembershipInline]
    actions = ["deactivate", "reactivate"]

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # accounts are deactivated, never deleted: the audit trail points at them

    @admin.action(description=_("Deactivate the selected accounts (ends their sessions)"))
    def deactivate(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, _("Your own account was left active."), messages.WARNING)
        for user in queryset.exclude(pk=request.user.pk):
            user_deactivate(user=user, actor=request.user, request=request)

    @admin.action(description=_("Reactivate the selected accounts"))
    def reactivate(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_reactivate(user=user, actor=request.user, request=request)

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "second_factors_reset_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "short_name", "kind", "jurisdiction", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "jurisdiction"]

    def audit_agency(self, obj: Model) -> Agency:
        assert isinstance(obj, Agency)
        return obj

    def has_delete_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        return False  # agencies are deactivated (is_active), never deleted

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data if name not in {"name", "kind"}}
        created = agency_create(name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], **fields)
        obj.pk = created.pk
        obj.group = created.group


class TaskForceMemberInline(admin.TabularInline):
    model = TaskForceMember
    extra = 1
    autocomplete_fields = ["agency"]


@admin.register(TaskForce)
class TaskForceAdmin(AuditedModelAdmin):
    list_display = ["name", "region"]
    search_fields = ["name"]
    inlines = [TaskForceMemberInline]


@admin.register(Invitation)
class InvitationAdmin(AuditedModelAdmin):
    list_display = ["email", "agency", "role", "status", "expires_at", "invited_by"]
    list_filter = ["status", "role"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
