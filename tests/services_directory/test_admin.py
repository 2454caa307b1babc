"""The directory in the admin: the HSDS upload with its report, and mapping terms."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import AuditEvent
from services_directory import models as directory

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).parent / "hsds_examples"
URL = "/admin/services_directory/service/import/"


def _json_upload(document: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("services.json", json.dumps([document]).encode(), content_type="application/json")


def test_a_superuser_uploads_an_hsds_file_and_reads_the_report(client_as, superuser):
    document = json.loads((EXAMPLES / "service_full.json").read_text())

    response = client_as(superuser).post(URL, {"file": _json_upload(document)})

    assert response.status_code == 200
    assert "services: 1 created, 0 updated, 0 unchanged" in response.content.decode()
    event = AuditEvent.objects.get(action="services_directory.import.completed")
    assert event.actor == superuser


def test_a_zip_of_the_csv_package_is_unpacked_by_file_name_only(client_as, superuser, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((EXAMPLES / "csv").glob("*.csv")):
            bundle.write(path, f"../../outside/{path.name}")  # a path that tries to leave the folder
    upload = SimpleUploadedFile("package.zip", archive.getvalue(), content_type="application/zip")

    response = client_as(superuser).post(URL, {"file": upload})

    assert "services: 1 created" in response.content.decode()
    assert directory.Service.objects.count() == 1


def test_an_invalid_upload_shows_the_problems_and_writes_nothing(client_as, superuser):
    document = json.loads((EXAMPLES / "service_full.json").read_text())
    del document["name"]

    response = client_as(superuser).post(URL, {"file": _json_upload(document)})

    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "services.json, record 1" in page
    assert "&#x27;name&#x27; is a required property" in page
    assert directory.Service.objects.count() == 0
    assert directory.Organization.objects.count() == 0


def test_a_file_that_is_neither_json_nor_zip_is_refused(client_as, superuser):
    upload = SimpleUploadedFile("services.xlsx", b"PK...", content_type="application/octet-stream")
    response = client_as(superuser).post(URL, {"file": upload})
    assert "Upload a .json file or a .zip of CSV files." in response.content.decode()


def test_a_broken_zip_is_refused(client_as, superuser):
    upload = SimpleUploadedFile("package.zip", b"not a zip", content_type="application/zip")
    response = client_as(superuser).post(URL, {"file": upload})
    assert "not a readable ZIP archive" in response.content.decode()


@pytest.mark.parametrize("who", ["agency_admin", "provider_staff", "coordinator"])
def test_only_superusers_import(client_as, request, who):
    response = client_as(request.getfixturevalue(who)).get(URL)
    assert response.status_code in {302, 403}
    assert "Import an HSDS file" not in response.content.decode()


def test_an_administrator_maps_an_unmapped_term_and_it_is_audited(client_as, superuser, tmp_path):
    term = directory.TaxonomyTerm.objects.create(name="Bus passes", description="Transit", taxonomy="County codes")
    client = client_as(superuser)
    changelist = reverse("admin:services_directory_taxonomyterm_changelist")
    assert "Bus passes" in client.get(changelist, {"mapped": "no"}).content.decode()

    response = client.post(
        changelist + "?mapped=no",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(term.pk),
            "form-0-category": "other",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.category == "other"
    assert AuditEvent.objects.filter(action="admin.services_directory.taxonomyterm.changed").exists()
    assert "Bus passes" not in client.get(changelist, {"mapped": "no"}).content.decode()


def test_a_zip_with_two_files_of_one_name_is_refused(client_as, superuser):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a/services.csv", "id,name,status\n")
        bundle.writestr("b/services.csv", "id,name,status\n")
    upload = SimpleUploadedFile("package.zip", archive.getvalue(), content_type="application/zip")

    response = client_as(superuser).post(URL, {"file": upload})

    assert "several files named services.csv" in response.content.decode()


def test_mapping_a_term_in_the_admin_goes_through_the_service(client_as, superuser):
    term = directory.TaxonomyTerm.objects.create(name="Bus passes", description="Transit", taxonomy="County codes")
    changelist = reverse("admin:services_directory_taxonomyterm_changelist")
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(term.pk), "_save": "Save"}

    client_as(superuser).post(changelist, {**data, "form-0-category": "other"})

    event = AuditEvent.objects.get(action="services_directory.term.mapped")
    assert (event.actor, event.details) == (superuser, {"from": "", "to": "other"})
