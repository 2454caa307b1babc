"""Which charges are trafficking charges: the portal decides from the citation (prosecution/statutes.py), for
18 U.S.C. 1581-1597 however written, and for the state statutes the task force lists, which its coordinator keeps
(a page, the admin) and whose changes mark the charges already recorded again."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from prosecution import services
from prosecution.models import Charge, TraffickingStatute
from prosecution.statutes import citation_key, is_trafficking

STATE = "Gulf State Rev. Stat. § 14:46.2"

# citation as typed, whether it is a trafficking charge (with STATE listed by the task force)
CLASSIFICATION = [
    ("18 U.S.C. 1591", True),
    ("18 USC 1591", True),
    ("18 U.S.C. § 1591(a)", True),
    ("18 U.S.C. §1591(a)(1), (b)(1)", True),
    ("18 u.s.c. sec. 1594(c)", True),
    ("18 U. S. C. 1589", True),
    ("18 U.S.C.A. § 1597", True),
    ("Title 18, United States Code, Section 1593A", True),
    ("18 USC 1581", True),  # peonage, the range's first
    ("18 USC 1597", True),  # the range's last
    ("18 U.S.C. §§ 1590, 1592", True),
    ("18 U.S.C. § 1591.", True),  # the sentence's full stop
    ("18 U.S.C. 1591-1594", True),  # a range
    ("18 USC 1570-1585", True),  # a range reaching into chapter 77
    ("18 USC 2421-2424", False),  # a range outside it
    ("18 USC 1591/1594", True),  # a list
    ("18 USC 2421 and 1591", True),
    ("Title 18 U.S. Code § 1591", True),
    ("Title 18 U. S. Code 1589(a)", True),
    ("18 USC 1591B", False),  # no such section
    ("18 USC 1591A", False),  # only 1593A has a letter
    ("118 U.S.C. 1591", False),
    ("Gulf State 18 USC 1591", False),  # a state's code that happens to say 18 USC
    ("Gulf State Rev. Stat. § 14:46.2 A", True),  # a subsection after a space
    ("Gulf State Rev. Stat. § 14:46.2 A(1)", True),
    ("18 USC 1580", False),
    ("18 USC 1598", False),
    ("18 U.S.C. § 2421", False),  # the Mann Act: not chapter 77
    ("18 USC 15910", False),
    ("8 U.S.C. § 1591", False),  # another title
    ("118 USC 1591", False),
    ("Gulf State Rev. Stat. § 14:46.2", True),
    ("gulf state rev stat 14:46.2(A)(1)", True),  # a subsection of the listed statute
    ("Gulf State Rev. Stat. §14:46.2 (B)", True),
    ("Gulf State Rev. Stat. § 14:46.21", False),  # another section that starts alike
    ("Gulf State Rev. Stat. § 14:46", False),
    ("Gulf State Rev. Stat. § 14:462", False),
    ("Other State Code 14:46.2", False),
]


@pytest.mark.parametrize(("citation", "trafficking"), CLASSIFICATION)
def test_a_citation_is_a_trafficking_statute_by_the_federal_range_or_the_task_forces_list(citation, trafficking):
    assert is_trafficking(citation_key(citation), [citation_key(STATE)]) is trafficking


def test_without_the_task_forces_list_a_state_statute_is_not_marked():
    assert not is_trafficking(citation_key(STATE), [])


@pytest.mark.django_db
def test_a_charge_is_marked_by_its_task_forces_list_and_again_when_the_list_changes(
    task_force, coordinator, investigator, arrest
):
    state = services.charge_add(arrest=arrest, version=arrest.version, statute=f"{STATE}(A)", actor=investigator)
    assert not state.is_trafficking
    statute = services.trafficking_statute_add(
        task_force=task_force, citation=STATE, title="Human trafficking", actor=coordinator
    )
    assert Charge.objects.get(pk=state.pk).is_trafficking
    later = services.charge_add(arrest=arrest, version=arrest.version + 1, statute=STATE, actor=investigator)
    assert later.is_trafficking
    services.trafficking_statute_remove(statute=statute, actor=coordinator)
    assert list(arrest.charges.order_by("id").values_list("is_trafficking", flat=True)) == [True, False, False]
    added = AuditEvent.objects.get(action="prosecution.statute.added")
    assert added.details == {"task_force_id": task_force.pk, "charges_marked": 1}
    assert AuditEvent.objects.get(action="prosecution.statute.removed").details["charges_unmarked"] == 2


@pytest.mark.django_db
def test_another_task_forces_list_does_not_mark_a_charge(arrest, investigator, outsider):
    from tests.factories import TaskForceFactory

    other = TaskForceFactory(name="Elsewhere Task Force", member_agencies=[outsider.agency])
    TraffickingStatute.objects.create(task_force=other, citation=STATE, citation_key=citation_key(STATE), title="HT")
    charge = services.charge_add(arrest=arrest, version=arrest.version, statute=STATE, actor=investigator)
    assert not charge.is_trafficking


# who, whether they keep their task force's list (the page: 200, else 404)
STATUTE_PAGE = [
    ("coordinator", True),
    ("auditor", False),
    ("investigator", False),
    ("supervisor", False),
    ("advocate", False),
    ("outsider", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "keeps"), STATUTE_PAGE)
def test_the_coordinator_keeps_the_task_forces_statutes(request, client_as, task_force, who, keeps):
    user = request.getfixturevalue(who)
    client = client_as(user)
    url = reverse("trafficking_statutes")
    assert client.get(url).status_code == (200 if keeps else 404)
    prefix = f"tf{task_force.pk}"
    posted = {"task_force": task_force.pk, f"{prefix}-citation": STATE, f"{prefix}-title": "Human trafficking"}
    assert client.post(url, posted).status_code == (302 if keeps else 404)
    assert TraffickingStatute.objects.filter(task_force=task_force).count() == (1 if keeps else 0)
    if keeps:
        statute = TraffickingStatute.objects.get()
        assert STATE in client.get(url).content.decode()
        again = client.post(url, {**posted, f"{prefix}-citation": "gulf state rev. stat. 14:46.2"})
        assert again.status_code == 200
        assert "already listed" in again.content.decode()
        assert client.post(reverse("trafficking_statute_remove", args=[statute.pk])).status_code == 302
        assert not TraffickingStatute.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_edit_another_task_forces_list(client_as, coordinator, outsider):
    from tests.factories import TaskForceFactory

    other = TaskForceFactory(name="Elsewhere Task Force", member_agencies=[outsider.agency])
    statute = TraffickingStatute.objects.create(
        task_force=other, citation=STATE, citation_key=citation_key(STATE), title="HT"
    )
    client = client_as(coordinator)
    assert client.post(reverse("trafficking_statute_remove", args=[statute.pk])).status_code == 404
    posted = {"task_force": other.pk, f"tf{other.pk}-citation": "X 1", f"tf{other.pk}-title": "Y"}
    assert client.post(reverse("trafficking_statutes"), posted).status_code == 404
    assert TraffickingStatute.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_lists_a_statute_through_the_service_and_refuses_it_twice(
    client_as, superuser, task_force, arrest, investigator
):
    charge = services.charge_add(arrest=arrest, version=arrest.version, statute=STATE, actor=investigator)
    client = client_as(superuser)
    url = reverse("admin:prosecution_traffickingstatute_add")
    posted = {"task_force": task_force.pk, "citation": STATE, "title": "Human trafficking"}
    assert client.post(url, posted).status_code == 302
    assert Charge.objects.get(pk=charge.pk).is_trafficking
    assert AuditEvent.objects.filter(action="prosecution.statute.added", actor=superuser).count() == 1
    again = client.post(url, {**posted, "citation": "GULF STATE REV. STAT. 14:46.2"})
    assert again.status_code == 200
    assert "already listed" in again.content.decode()
    assert TraffickingStatute.objects.count() == 1
