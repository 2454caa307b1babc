"""The directory in the (superuser-only) admin: link providers to agencies, mark confidential locations, map
taxonomy terms to need categories, and import an HSDS file with its report."""

import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from portal.admin import AuditedModelAdmin
from portal.http import AuthenticatedHttpRequest
from services_directory.forms import HsdsUploadForm
from services_directory.hsds.importing import ImportRefused, hsds_import
from services_directory.hsds.reporting import report_lines
from services_directory.models import Location, Organization, Service, TaxonomyTerm
from services_directory.services import taxonomy_term_map

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["name", "agency"]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "alternate_name"]


@admin.register(Location)
class LocationAdmin(AuditedModelAdmin):
    list_display = ["name", "location_type", "is_confidential"]
    list_filter = ["is_confidential", "location_type"]
    search_fields = ["name"]


class MappingFilter(admin.SimpleListFilter):
    title = _("need category")
    parameter_name = "mapped"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> Iterable[tuple[str, "StrOrPromise"]]:
        return [("no", _("Not mapped yet")), ("yes", _("Mapped"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[TaxonomyTerm]) -> QuerySet[TaxonomyTerm]:
        if self.value() == "no":
            return queryset.filter(category="")
        if self.value() == "yes":
            return queryset.exclude(category="")
        return queryset


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(AuditedModelAdmin):
    """Unmapped terms (``?mapped=no``) wait here for an administrator to give them a need category."""

    list_display = ["taxonomy", "code", "name", "category"]
    list_editable = ["category"]
    list_filter = [MappingFilter, "taxonomy"]
    search_fields = ["code", "name", "taxonomy"]
    readonly_fields = ["code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "language", "term_uri"]

    def save_model(self, request: HttpRequest, obj: TaxonomyTerm, form: Any, change: bool) -> None:
        """Through the service, so that every mapping is a ``services_directory.term.mapped`` event."""
        if change:
            assert isinstance(request.user, User)  # the admin is for superusers only (portal/admin_site.py)
            taxonomy_term_map(term=obj, category=obj.category, actor=request.user, request=request)
        else:
            super().save_model(request, obj, form, change)


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    list_display = ["name", "organization", "status", "capacity", "capacity_updated_at"]
    list_filter = ["status", "capacity"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "capacity_updated_by"]
    change_list_template = "admin/services_directory/service/change_list.html"

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        if change:
            obj.version += 1  # a provider's form opened before this change is now stale
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="services_directory_hsds_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = HsdsUploadForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "title": _("Import an HSDS file"), "form": form}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as folder:
                try:
                    source = _unpack(upload, Path(folder))
                    report = hsds_import(path=source, actor=request.user, request=request)
                except ImportRefused as refused:
                    context["problems"] = [str(p) for p in refused.problems]
                    context["notes"] = refused.notes
                except ValueError as error:
                    context["problems"] = [str(error)]
                else:
                    context["report"] = report_lines(report)
        return TemplateResponse(request, "admin/services_directory/import.html", context)


def _unpack(upload: UploadedFile, folder: Path) -> Path:
    """The uploaded JSON file, or the CSV files of an uploaded ZIP (by their base names only, never a path the
    archive chooses), written into ``folder``."""
    assert upload.name is not None  # a file from a form has a name and a size
    assert upload.size is not None
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValueError(_("The file is larger than 50 MB."))
    name = PurePosixPath(upload.name).name
    if name.lower().endswith(".json"):
        target = folder / name  # a base name only, so problems name the file the person uploaded
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return target
    csv_folder = folder / "csv"
    csv_folder.mkdir()
    try:
        with zipfile.ZipFile(upload) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv") and not m.is_dir()]
            if sum(m.file_size for m in members) > MAX_UPLOAD_BYTES:
                raise ValueError(_("The archive unpacks to more than 50 MB."))
            names = [PurePosixPath(member.filename).name for member in members]
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise ValueError(_("The archive holds several files named %(names)s.") % {"names": ", ".join(repeated)})
            for member, name in zip(members, names, strict=True):
                (csv_folder / name).write_bytes(archive.read(member))
    except zipfile.BadZipFile as error:
        raise ValueError(_("The file is not a readable ZIP archive.")) from error
    return csv_folder
