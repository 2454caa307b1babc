"""The fixed cast of the suite (docs/architecture.md §13): who they are is the same in every test.

Lead agency (a federal field office): ``investigator``, ``colleague``, ``supervisor``, ``agency_admin``.
Partner law enforcement: ``partner_investigator``. Victim service provider (NGO): ``advocate``, ``provider_staff``.
Coordination office: ``coordinator``, ``auditor``. Another task force altogether: ``outsider``.
Everyone has an authenticator app; ``superuser`` has no agency.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from agencies.models import Agency, Role
from tests.factories import AgencyFactory, TaskForceFactory, UserFactory

# Cases with sentinel PII, shared across the cast: used by tests/cases/ and tests/security/.
pytest_plugins = ["tests.cases.fixtures"]


@pytest.fixture(autouse=True)
def _cache_emptied() -> None:
    """Each test starts with an empty cache (settings_test: in memory). allauth counts failed sign-ins and keeps used
    TOTP codes there: a test that fails eight sign-ins must not rate-limit the next test's cast, whatever ran
    before it on the same worker (a database cache kept what tests with committed transactions wrote)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset() -> None:
    """Each test starts in the portal's language. A request through the test client activates its reader's
    language in the thread that runs it, the test's own, and nothing deactivates it after the response: a
    Spanish reader's page made the next test on the same worker format "2,0" and label rows in Spanish."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def lead_agency(db):
    return AgencyFactory(name="Federal Field Office", short_name="FFO", kind=Agency.Kind.FEDERAL_LE)


@pytest.fixture
def partner_agency(db):
    return AgencyFactory(name="Bayport Police Department", short_name="BPD", kind=Agency.Kind.LOCAL_LE)


@pytest.fixture
def ngo(db):
    return AgencyFactory(name="Safe Harbor Shelter", short_name="Safe Harbor", kind=Agency.Kind.VICTIM_SERVICES)


@pytest.fixture
def coordination_office(db):
    return AgencyFactory(name="Task Force Coordination", short_name="TFC", kind=Agency.Kind.COORDINATION)


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Faraway Sheriff", short_name="FS", kind=Agency.Kind.LOCAL_LE)


@pytest.fixture
def task_force(lead_agency, partner_agency, ngo, coordination_office):
    return TaskForceFactory(
        name="Gulf Coast Task Force", member_agencies=[lead_agency, partner_agency, ngo, coordination_office]
    )


@pytest.fixture
def investigator(task_force, lead_agency):
    return UserFactory(email="investigator@ffo.example", full_name="Ivy Investigator", agency=lead_agency)


@pytest.fixture
def colleague(task_force, lead_agency):
    return UserFactory(email="colleague@ffo.example", full_name="Colin Colleague", agency=lead_agency)


@pytest.fixture
def supervisor(task_force, lead_agency):
    return UserFactory(
        email="supervisor@ffo.example", full_name="Sue Supervisor", agency=lead_agency, role=Role.SUPERVISOR
    )


@pytest.fixture
def agency_admin(task_force, lead_agency):
    return UserFactory(email="admin@ffo.example", full_name="Ada Admin", agency=lead_agency, role=Role.AGENCY_ADMIN)


@pytest.fixture
def partner_investigator(task_force, partner_agency):
    return UserFactory(email="detective@bpd.example", full_name="Pat Partner", agency=partner_agency)


@pytest.fixture
def advocate(task_force, ngo):
    return UserFactory(email="advocate@safeharbor.example", full_name="Ana Advocate", agency=ngo)


@pytest.fixture
def provider_staff(task_force, ngo):
    return UserFactory(
        email="intake@safeharbor.example", full_name="Paul Provider", agency=ngo, role=Role.PROVIDER_STAFF
    )


@pytest.fixture
def coordinator(task_force, coordination_office):
    return UserFactory(
        email="coordinator@tfc.example",
        full_name="Cora Coordinator",
        agency=coordination_office,
        role=Role.COORDINATOR,
    )


@pytest.fixture
def auditor(task_force, coordination_office):
    return UserFactory(
        email="auditor@tfc.example", full_name="Otto Auditor", agency=coordination_office, role=Role.AUDITOR
    )


@pytest.fixture
def outsider(other_agency):
    return UserFactory(email="outsider@faraway.example", full_name="Olga Outsider", agency=other_agency)


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@portal.example", full_name="Root Admin", is_superuser=True, is_staff=True)


@pytest.fixture
def client_as():
    """``client_as(user)``: a test client signed in as that person (password and MFA already passed)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="agencies.auth.AuthenticationBackend")
        return client

    return make


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres_only`` tests run on PostgreSQL (CI's second run); on SQLite they skip, saying why."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: run with DATABASE_URL=postgres://... (CI's second run does)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
