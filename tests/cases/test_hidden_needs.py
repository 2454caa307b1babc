"""A need hidden from a reader stays hidden in every form, list and step (security review, issue 11, point 3).

A shelter leads a case about its client and shares it with the federal field office at the collaborate level: the
field office may change the case, but the client's medical need shows to it only through a consent releasing
``medical`` (``cases.selectors.needs_visible``). The refer form, marking a need met, the referral service, the need's
matches and the referral lines of the case page and packet all read needs through ``needs_visible_to``."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from pypdf import PdfReader

from cases import selectors
from cases.models import CaseShare, Need
from cases.packets import render_case_packet
from cases.services import case_share_grant, need_add, need_mark_met
from referrals.models import Referral
from tests.factories import given_consent, sent_referral
from tests.services_directory.factories import listed_service

CLINIC = "Sentinel Pinecrest Clinic"  # where the shelter referred its client for the medical need


@pytest.fixture
def collaborating(ngo_case, lead_agency, shelter_supervisor):
    """The shelter's case, shared with the field office at the collaborate level (it may change the case)."""
    case_share_grant(
        case=ngo_case,
        agency=lead_agency,
        level=CaseShare.Level.COLLABORATE,
        reason="Joint investigation",
        actor=shelter_supervisor,
    )
    return ngo_case


@pytest.fixture
def medical(collaborating, ngo_client, advocate):
    return need_add(
        case=collaborating, person=ngo_client, category=Need.Category.MEDICAL, details="Clinic", actor=advocate
    )


@pytest.fixture
def shelter(collaborating, ngo_client, advocate):
    return need_add(case=collaborating, person=ngo_client, category=Need.Category.EMERGENCY_SHELTER, actor=advocate)


@pytest.fixture
def shelters_referral(collaborating, ngo_client, medical, advocate):
    """The shelter referred its client to a clinic for the medical need (the clinic is not in the portal)."""
    return sent_referral(
        collaborating,
        ngo_client,
        listed_service(name=CLINIC, categories=("medical",)),
        by=advocate,
        needs=[medical],
        delivery=Referral.Delivery.PHONE,
    )


@pytest.fixture
def home():
    return listed_service(name="Harbor Home", categories=("emergency_shelter", "medical"))


# (what the client released to the field office, whether the field office sees the medical need)
CONSENTS = [((), False), (("identity",), False), (("narrative",), False), (("medical",), True)]
consents = pytest.mark.parametrize(
    ("released", "sees"), CONSENTS, ids=["no consent", "identity", "narrative", "medical"]
)


@pytest.fixture
def reader(investigator, ngo_client, advocate, lead_agency, released):
    if released:
        given_consent(ngo_client, lead_agency, released, by=advocate)
    return investigator


def test_a_collaborating_law_enforcement_partner_may_change_the_shelters_case(collaborating, investigator):
    assert selectors.CHANGE in selectors.case_permissions(investigator, collaborating)


@consents
def test_the_medical_need_is_among_the_needs_visible_to_the_partner_only_with_medical_consent(
    collaborating, medical, shelter, reader, sees
):
    visible = set(selectors.needs_visible_to(reader, collaborating))
    assert visible == ({medical, shelter} if sees else {shelter})


def test_the_shelter_sees_its_clients_needs_whatever_the_consents(collaborating, medical, shelter, advocate):
    assert set(selectors.needs_visible_to(advocate, collaborating)) == {medical, shelter}


@consents
def test_the_refer_form_offers_the_medical_need_only_with_medical_consent(
    client_as, medical, shelter, home, reader, sees
):
    response = client_as(reader).get(reverse("refer_service", args=[shelter.pk, home.pk]))
    assert response.status_code == 200
    offered = set(response.context["form"].fields["needs"].queryset)
    assert offered == ({medical, shelter} if sees else {shelter})
    assert (f'value="{medical.pk}"' in response.content.decode()) == sees


@consents
def test_a_posted_refer_form_with_the_hidden_need_refers_nothing(
    client_as, medical, shelter, home, reader, sees, lead_agency
):
    client = client_as(reader)
    url = reverse("refer_service", args=[shelter.pk, home.pk])
    key = client.get(url).context["form"]["submission_key"].value()
    data = {"needs": [shelter.pk, medical.pk], "urgency": "routine", "delivery": "phone", "submission_key": key}
    response = client.post(url, data)
    sent = Referral.objects.filter(sender_agency=lead_agency)
    assert sent.exists() == sees
    if not sees:
        assert response.status_code == 200
        assert response.context["form"].errors["needs"]


@consents
def test_the_referral_service_refuses_a_need_hidden_from_the_sender(
    collaborating, ngo_client, medical, home, reader, sees
):
    def send():
        return sent_referral(
            collaborating, ngo_client, home, by=reader, needs=[medical], delivery=Referral.Delivery.PHONE
        )

    if sees:
        assert list(send().needs.all()) == [medical]
    else:
        with pytest.raises(ValidationError, match="These needs are not the case's"):
            send()


@consents
def test_marking_the_hidden_need_met_is_a_404_on_the_page(client_as, collaborating, medical, reader, sees):
    response = client_as(reader).post(reverse("need_met", args=[collaborating.pk, medical.pk]))
    assert response.status_code == (302 if sees else 404)
    medical.refresh_from_db()
    assert medical.status == (Need.Status.MET if sees else Need.Status.UNMET)


@consents
def test_marking_the_hidden_need_met_is_a_404_in_the_service(medical, reader, sees):
    if sees:
        need_mark_met(need=medical, actor=reader)
    else:
        with pytest.raises(Http404):
            need_mark_met(need=medical, actor=reader)
    medical.refresh_from_db()
    assert medical.status == (Need.Status.MET if sees else Need.Status.UNMET)


@consents
def test_the_hidden_needs_matches_are_a_404(client_as, medical, reader, sees):
    response = client_as(reader).get(reverse("need_services", args=[medical.pk]))
    assert response.status_code == (200 if sees else 404)


@consents
def test_the_case_page_lists_the_referral_for_the_hidden_need_only_with_medical_consent(
    client_as, collaborating, shelters_referral, reader, sees
):
    page = client_as(reader).get(reverse("case_detail", args=[collaborating.pk])).content.decode()
    assert (CLINIC in page) == sees
    assert ('id="referrals-heading"' in page) == sees  # the case's only referral: no list at all


@consents
def test_the_packet_tells_of_the_referral_for_the_hidden_need_only_with_medical_consent(
    collaborating, shelters_referral, reader, sees
):
    pdf = render_case_packet(collaborating, reader)
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert ("".join(CLINIC.split()) in text) == sees  # in the referrals table and the timeline
    assert ("Medical" in text) == sees


def test_the_shelter_that_sent_it_sees_its_referral_on_the_case_page(
    client_as, collaborating, shelters_referral, advocate
):
    assert CLINIC in client_as(advocate).get(reverse("case_detail", args=[collaborating.pk])).content.decode()
