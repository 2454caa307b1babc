"""``arrests_visible_to`` and ``charges_visible_to``, the prosecution a reader sees as querysets (for the reports),
as a table of roles: only where they hold law-enforcement access to the case; and they agree with the case's
prosecution pages (``prosecution_access``) for every reader of the cast."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from agencies.models import User
from prosecution import selectors
from tests.prosecution.conftest import LEVELS, share

pytestmark = pytest.mark.django_db


# who, the share their agency gets of the field office's case (None: none), whether they count its arrest
READERS = [
    ("investigator", None, True),  # the lead
    ("supervisor", None, True),
    ("colleague", None, True),
    ("partner_investigator", None, False),  # the fixture's summary share
    ("partner_investigator", LEVELS.LAW_ENFORCEMENT, True),
    ("advocate", LEVELS.PERSONAL, False),  # personal information is not law-enforcement access
    ("prosecutor", None, False),
    ("prosecutor", LEVELS.COLLABORATE, True),
    ("coordinator", LEVELS.PERSONAL, False),
    ("auditor", None, False),
    ("agency_admin", None, False),
    ("outsider", None, False),
]


@pytest.mark.parametrize(("who", "level", "counted"), READERS)
def test_who_counts_the_arrest_and_its_charge(request, arrest, charge, supervisor, who, level, counted):
    reader = request.getfixturevalue(who)
    if level is not None:
        share(arrest.case, reader.agency, level, supervisor)
    assert list(selectors.arrests_visible_to(reader)) == ([arrest] if counted else [])
    assert list(selectors.charges_visible_to(reader)) == ([charge] if counted else [])


def _page_shows(user: User, case_pk: int) -> bool:
    try:
        selectors.prosecution_access(user, case_pk)
    except (Http404, PermissionDenied):
        return False
    return True


def test_they_agree_with_the_prosecution_pages_for_everyone(
    arrest, charge, prosecutor, advocate, coordinator, auditor, outsider, partner_investigator, supervisor
):
    share(arrest.case, prosecutor.agency, LEVELS.LAW_ENFORCEMENT, supervisor)
    for user in User.objects.filter(is_active=True):
        shown = _page_shows(user, arrest.case_id)
        assert selectors.arrests_visible_to(user).filter(pk=arrest.pk).exists() is shown, user.email
        assert selectors.charges_visible_to(user).filter(pk=charge.pk).exists() is shown, user.email
