"""Superusers keep the task forces' trafficking statutes here too; writes go through the services, so the charges
already recorded are marked again and the trail has the event."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import AuditedModelAdmin
from prosecution import services
from prosecution.models import TraffickingStatute


@admin.register(TraffickingStatute)
class TraffickingStatuteAdmin(AuditedModelAdmin):
    list_display = ["citation", "title", "task_force"]
    list_filter = ["task_force"]
    search_fields = ["citation", "title"]
    fields = ["task_force", "citation", "title"]

    def get_readonly_fields(self, request: HttpRequest, obj: TraffickingStatute | None = None) -> list[str]:
        # A citation changes by removing the statute and listing the new one (the charges are marked again).
        return ["task_force", "citation"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: TraffickingStatute, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = services.trafficking_statute_add(
            task_force=obj.task_force, citation=obj.citation, title=obj.title, actor=None, request=request
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: TraffickingStatute) -> None:
        services.trafficking_statute_remove(statute=obj, actor=None, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for statute in queryset:
            services.trafficking_statute_remove(statute=statute, actor=None, request=request)
