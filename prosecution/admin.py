"""Superusers keep the task forces' trafficking statutes here too; writes go through the services, so the charges
already recorded are marked again and the trail has the event."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin import AuditedModelAdmin
from prosecution import services
from prosecution.models import TraffickingStatute
from prosecution.statutes import citation_key


class TraffickingStatuteAdminForm(forms.ModelForm):
    class Meta:
        model = TraffickingStatute
        fields = ["task_force", "citation", "title"]

    def clean(self) -> dict[str, Any] | None:
        """A statute already listed (in any spelling) is an error on the form, not a failed save."""
        data = super().clean() or self.cleaned_data
        task_force, citation = data.get("task_force"), data.get("citation")
        listed = TraffickingStatute.objects.filter(task_force=task_force, citation_key=citation_key(citation or ""))
        if self.instance.pk is None and task_force is not None and citation and listed.exists():
            self.add_error("citation", _("This statute is already listed."))
        return data


@admin.register(TraffickingStatute)
class TraffickingStatuteAdmin(AuditedModelAdmin):
    form = TraffickingStatuteAdminForm
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
