from django.contrib import admin

from portal.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "action",
        "outcome",
        "actor_email",
        "agency_name",
        "object_type",
        "object_id",
    ]
    list_filter = ["outcome", "action"]
    search_fields = ["action", "actor_email", "object_id"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
