"""The referral letter (issue 6): one page for the person referred, in their preferred language, to take to the
service. It names the service, where and when to go, what to bring, whom to call and the national hotline.

A letter can be found by the wrong person, so it carries no personal information (not the person's name, not the
case), names no referring agency (a police department on it would tell a trafficker the person talks to law
enforcement), and never prints a confidential shelter's address: the shelter tells the person how to get there.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import User
from portal.audit import audit_record
from portal.languages import code_for
from portal.pdf import prepared_at, typeset
from referrals import selectors
from referrals.models import Referral
from services_directory import presenters
from services_directory.services import service_required_documents

HOTLINE_PHONE = "1-888-373-7888"
HOTLINE_TEXT = "233733"


def letter_language(referral: Referral) -> str:
    """The person's preferred language if the portal speaks it, else the first of their languages it speaks, else
    English. A person's languages are codes of ``portal.languages``; a code is matched on its language part ("es-MX",
    "es_MX", "ES" and "spa" are Spanish), and a language written out ("Spanish") is read as its code."""
    person = referral.person
    spoken = dict(settings.LANGUAGES)
    candidates = [person.preferred_language, *person.languages] if person else []
    for text in candidates:
        code = code_for(str(text or ""))
        if code in spoken:
            return code
    return settings.LANGUAGE_CODE


def letter_context(referral: Referral, contact: User | None = None) -> dict[str, Any]:
    """What the letter shows. ``contact`` is the person the letter sends them back to: the one who prints it (on the
    sender's side, so with the person), never an agency's name (a letter naming a police department or the FBI,
    found by the wrong person, tells them the person is talking to law enforcement)."""
    service = referral.recipient_service
    assert service is not None
    locations = []
    for service_at_location in service.service_at_locations.select_related("location").prefetch_related(
        "location__addresses"
    ):
        location = service_at_location.location
        physical = [address for address in location.addresses.all() if address.address_type == "physical"]
        locations.append(
            {
                "name": location.name,
                "confidential": location.is_confidential,
                "address": physical[0] if physical else None,
            }
        )
    phones = list(service.phones.all()) or list(service.organization.phones.all())
    return {
        "referral": referral,
        "service": service,
        "organization": service.organization,
        "locations": locations,
        "phones": phones,
        "hours": [presenters.hours_text(schedule) for schedule in service.schedules.all()],
        "documents": service_required_documents(service),
        "contact": contact or referral.sender,
        "contact_phone": getattr(getattr(contact or referral.sender, "membership", None), "phone", ""),
        "hotline_phone": HOTLINE_PHONE,
        "hotline_text": HOTLINE_TEXT,
    }


def render_referral_letter(referral: Referral, viewer: User, *, request: HttpRequest | None = None) -> bytes:
    """The letter of a service referral for the sender's side to print (the people with the person). Looked up
    again for ``viewer`` (404 outside the referral's audience); only the sender's side may print it."""
    access = selectors.referral_access_for_user(viewer, referral.pk)
    referral = access.referral
    if referral.kind != Referral.Kind.SERVICE or referral.recipient_service is None:
        raise Http404
    if not referral.is_open:  # a letter for a declined or cancelled referral would send them in vain
        raise PermissionDenied
    if not access.is_sender:
        raise PermissionDenied
    language = letter_language(referral)
    with translation.override(language):
        context = {
            **letter_context(referral, contact=viewer),
            "lang": language,
            "for_the_person": True,
            "viewer": viewer,
            "prepared_at": prepared_at(),
            "handling": _("Confidential: keep this letter in a safe place"),
            "title": _("Your referral to %(service)s") % {"service": referral.recipient_service.name},
        }
        # One page: a service with many sites or papers to bring is set again, tighter (rare, and cheap at one page).
        result = typeset(render_to_string("referrals/print/letter.html", context))
        if result.pages > 1:
            result = typeset(render_to_string("referrals/print/letter.html", {**context, "compact": True}))
        pdf = result.pdf
    audit_record(
        action="referrals.referral.letter_printed",
        actor=viewer,
        request=request,
        target=referral,
        details={"language": language},
    )
    return pdf
