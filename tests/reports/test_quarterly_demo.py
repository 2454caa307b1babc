"""The demo's signed quarterly reports: the last completed fiscal quarter of the Bayport Police and of Safe Harbor,
signed by their demo supervisors through the service, once however often the demo is seeded."""

import random
from io import StringIO

import pytest
from django.utils import timezone

from agencies import demo as agencies_demo
from cases import demo as cases_demo
from deconfliction import demo as deconfliction_demo
from portal.management.commands.seed_demo import DEMO_SEED
from portal.models import AuditEvent
from prosecution import demo as prosecution_demo
from protection import demo as protection_demo
from referrals import demo as referrals_demo
from reports import demo
from reports.fiscal import quarter_of
from reports.models import QuarterlyReport
from services_directory import demo as directory_demo
from tips import demo as tips_demo

pytestmark = pytest.mark.django_db

MODULES = (
    agencies_demo,
    directory_demo,
    cases_demo,
    referrals_demo,
    tips_demo,
    deconfliction_demo,
    protection_demo,
    prosecution_demo,
    demo,
)


def test_the_demo_signs_the_last_quarter_of_the_police_and_the_shelter(client_as):
    rng = random.Random(DEMO_SEED)
    for module in MODULES:
        module.seed(rng=rng, stdout=StringIO())
    last = quarter_of(timezone.localdate()).previous()
    reports = {
        report.snapshot["agency"]["name"]: report
        for report in QuarterlyReport.objects.select_related("signed_by", "agency")
    }
    assert sorted(reports) == ["Bayport Police Department", "Safe Harbor Shelter"]
    police, shelter = reports["Bayport Police Department"], reports["Safe Harbor Shelter"]
    assert (police.kind, police.signed_by.email) == ("law_enforcement", "omar.haddad@bpd.example")
    assert (shelter.kind, shelter.signed_by.email) == ("victim_services", "grace.obi@safeharbor.example")
    for report in (police, shelter):
        assert report.quarter_code == last.code
        assert report.digest_matches()
        assert any(measure["value"] for measure in report.snapshot["measures"])
    assert AuditEvent.objects.filter(action="reports.quarterly.signed").count() == 2

    out = StringIO()
    demo.seed(rng=random.Random(DEMO_SEED), stdout=out)
    assert "0 quarterly reports" in out.getvalue()
    assert QuarterlyReport.objects.count() == 2

    page = client_as(police.signed_by).get(f"/reports/quarterly/{last.code}/")
    assert page.status_code == 200
    assert "Signed and frozen" in page.content.decode()
