"""The Django admin is for superusers; every change made there is an audit event like any other."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from portal.admin_site import ReadOnlyAdminMixin
from portal.audit import audit_record
from portal.models import AuditEvent

if TYPE_CHECKING:  # a type only: portal does not import domain apps at run time
    from agencies.models import Agency

# What the inlines of the request's form changed, kept on the request for the event written after them.
INLINE_CHANGES_ATTR = "_audited_inline_changes"


def _changed_fields(message: list[dict[str, Any]] | str) -> list[str]:
    """Field names from the admin's change message (a list like ``[{"changed": {"fields": [...]}}]``)."""
    fields: list[str] = []
    for part in message if isinstance(message, list) else []:
        for verb in ("changed", "added"):
            fields += [str(name) for name in part.get(verb, {}).get("fields", [])]
    return fields


def _ids(obj: Model) -> dict[str, int | str | None]:
    """An object's id and the ids it points to (``{"id": 7, "agency_id": 3, "task_force_id": 1}``)."""
    ids: dict[str, int | str | None] = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            ids[field.attname] = getattr(obj, field.attname)
    return ids


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes ``admin.<app>.<model>.added/changed/deleted`` to the audit trail, naming the fields (not their
    values), besides the admin's own log."""

    def audit_agency(self, obj: Model) -> "Agency | None":
        """The agency whose auditors should see changes to ``obj``."""
        return getattr(obj, "agency", None)

    def _audit(self, request: HttpRequest, obj: Model, event: str, details: dict[str, Any]) -> None:
        inlines = getattr(request, INLINE_CHANGES_ATTR, [])
        audit_record(
            action=f"admin.{obj._meta.label_lower}.{event}",
            request=request,
            target=obj,
            agency=self.audit_agency(obj),
            details={**details, "inlines": inlines} if inlines else details,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Remember what the inlines added, changed and deleted (ids and foreign-key ids, never values), for the
        event that ``log_change``/``log_addition`` writes next."""
        deleted = [_ids(obj) for obj in (f.instance for f in formset.deleted_forms) if obj.pk is not None]
        super().save_formset(request, form, formset, change)
        summary = {
            "model": formset.model._meta.label_lower,
            "added": [_ids(obj) for obj in formset.new_objects],
            "changed": [_ids(obj) for obj, _fields in formset.changed_objects],
            "deleted": deleted,
        }
        if summary["added"] or summary["changed"] or summary["deleted"]:
            setattr(request, INLINE_CHANGES_ATTR, [*getattr(request, INLINE_CHANGES_ATTR, []), summary])

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        self._audit(request, obj, "added", {"fields": _changed_fields(message)})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        self._audit(request, obj, "changed", {"fields": _changed_fields(message)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Model]) -> list[LogEntry]:
        for obj in queryset:
            self._audit(request, obj, "deleted", {})
        return super().log_deletions(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "action", "outcome", "actor_email", "agency_name", "object_type", "object_id"]
    list_filter = ["outcome"]
    search_fields = ["action", "actor_email", "object_id"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
