"""The Django admin is for superusers; every change made there is an audit event like any other."""

from django.contrib import admin

from portal.audit import audit_record
from portal.models import AuditEvent


def _changed_fields(message) -> list[str]:
    """Field names from the admin's change message (a list like ``[{"changed": {"fields": [...]}}]``)."""
    fields: list[str] = []
    for part in message if isinstance(message, list) else []:
        for verb in ("changed", "added"):
            fields += [str(name) for name in part.get(verb, {}).get("fields", [])]
    return fields


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes ``admin.<app>.<model>.added/changed/deleted`` to the audit trail, naming the fields (not their
    values), besides the admin's own log."""

    def audit_agency(self, obj):
        """The agency whose auditors should see changes to ``obj``."""
        return getattr(obj, "agency", None)

    def _audit(self, request, obj, event: str, details: dict) -> None:
        audit_record(
            action=f"admin.{obj._meta.label_lower}.{event}",
            request=request,
            target=obj,
            agency=self.audit_agency(obj),
            details=details,
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "added", {"fields": _changed_fields(message)})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "changed", {"fields": _changed_fields(message)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted", {})
        return super().log_deletions(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "action", "outcome", "actor_email", "agency_name", "object_type", "object_id"]
    list_filter = ["outcome"]
    search_fields = ["action", "actor_email", "object_id"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
