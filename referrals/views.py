"""Find services for this person: the directory's ranked matches for one of a victim's needs, read from the case
as the viewer may see it (``cases.selectors``), never more. The referral pages are in ``pages.py``."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors as case_selectors
from cases.models import Person
from portal.audit import audit_record
from portal.http import AuthenticatedHttpRequest
from portal.pagination import paginate
from services_directory import selectors as directory
from services_directory.filters import DISTANCES, PlaceField
from services_directory.geo import UnknownPlace, resolve
from services_directory.models import Service

SEX_TO_GENDER: dict[str, str] = {
    Person.Sex.FEMALE: Service.Gender.FEMALE,
    Person.Sex.MALE: Service.Gender.MALE,
    Person.Sex.OTHER: Service.Gender.OTHER,
}


WITHIN_CHOICES = {value for value, _label in DISTANCES}


def _age(born, today) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def need_services(request: AuthenticatedHttpRequest, need_pk: int) -> HttpResponse:
    """The directory's services for a need, ranked for the person: their category, languages, age (only if the
    viewer may see the date of birth; else whether they are a minor) and gender."""
    if not request.user.has_perm(directory.VIEW_PERMISSION):
        raise Http404
    case, shown, view = case_selectors.need_get_for_user(request.user, need_pk)
    label = _("Person #%(id)s") % {"id": view.pk}
    today = timezone.localdate()
    born = view.date_of_birth
    age = _age(born, today) if born not in (None, case_selectors.WITHHELD) else None
    languages = [code for code in [view.preferred_language, *(view.languages or [])] if code]
    place_text = request.GET.get("near", "").strip()
    place, place_error = None, ""
    if place_text:
        try:
            place = resolve(place_text)
        except UnknownPlace as error:
            place_error = str(error)
    criteria = directory.SearchCriteria(
        categories=[shown.need.category],
        languages=list(dict.fromkeys(languages)),
        near=place,
        within_miles=float(request.GET["within"]) if place and request.GET.get("within") in WITHIN_CHOICES else None,
        age=age,
        is_minor=bool(view.is_minor),
        gender=SEX_TO_GENDER.get(view.person.sex, ""),
    )
    circle = directory.agencies_seeing_confidential_locations_of(request.user)
    page = paginate(request, directory.service_search(criteria, circle=circle), per_page=20)
    audit_record(
        action="cases.pii.viewed",
        request=request,
        target=case,
        details={
            "person_id": view.pk,
            "need_id": shown.need.pk,
            "via": "service_match",
            "fields": sorted(f for f, v in (("date_of_birth", age), ("languages", languages or None)) if v is not None),
        },
    )
    return render(
        request,
        "referrals/need_services.html",
        {
            "case": case,
            "need": shown.need,
            "refer_need": shown.need
            if case_selectors.CHANGE in case.viewer_permissions  # type: ignore[attr-defined]
            and request.user.has_perm("referrals.add_referral")
            and case_selectors.is_victim_in(case, view.person)
            else None,
            "person_label": label,
            "criteria": criteria,
            "page": page,
            "results": directory.results_for_page(list(page.object_list), criteria, request.user, circle=circle),
            "place_text": place_text,
            "place_error": place_error,
            "place_field_help": PlaceField().help_text,
            "query": f"near={place_text}" if place_text else "",
        },
    )
