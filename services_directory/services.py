"""Every write to the directory made in the portal (imports are ``hsds/importing.py``). Field history comes from
django-auditlog (the models are registered in settings); the business event, from ``audit_record``.
"""

import hashlib
import secrets
import uuid
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from portal.audit import audit_record
from portal.categories import NeedCategory
from services_directory import languages as language_codes
from services_directory import selectors
from services_directory.geo import UnknownPlace, resolve
from services_directory.models import (
    Address,
    ApiToken,
    Attribute,
    HsdsRecord,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from services_directory.taxonomies import (
    PORTAL_TAXONOMY_ID,
    PORTAL_TAXONOMY_NAME,
    PORTAL_TAXONOMY_URI,
    portal_term_id,
)

EDITABLE_SERVICE_FIELDS = (
    "name",
    "description",
    "status",
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "interpretation_services",
    "fees_description",
    "minimum_age",
    "maximum_age",
    "genders_served",
    "accepts_minors",
    "accepts_without_status",
    "alert",
)


class StaleServiceEdit(ValidationError):
    """Someone saved the listing since the form was opened: nothing is overwritten."""

    def __init__(self, changed_at: datetime) -> None:
        super().__init__(
            _(
                "This listing was changed at %(when)s while you were editing it. Nothing was saved: "
                "check the current listing below, then make your changes again."
            )
            % {"when": f"{timezone.localtime(changed_at):%Y-%m-%d %H:%M}"},
            code="stale",
        )


def _namespace(service: Service) -> uuid.UUID:
    return uuid.uuid5(PORTAL_TAXONOMY_ID, f"service:{service.pk}")


def portal_taxonomy_ensure() -> None:
    """The portal's own taxonomy and one term per need category, with fixed ids (``taxonomies.py``)."""
    Taxonomy.objects.get_or_create(
        pk=PORTAL_TAXONOMY_ID,
        defaults={
            "name": PORTAL_TAXONOMY_NAME,
            "description": "Need categories of the anti-trafficking referral portal.",
            "uri": PORTAL_TAXONOMY_URI,
            "version": "1",
        },
    )
    existing = set(TaxonomyTerm.objects.filter(taxonomy_id=PORTAL_TAXONOMY_ID).values_list("pk", flat=True))
    TaxonomyTerm.objects.bulk_create(
        [
            TaxonomyTerm(
                pk=portal_term_id(category.value),
                code=category.value,
                name=str(category.label),
                description=str(category.label),
                taxonomy=PORTAL_TAXONOMY_NAME,
                taxonomy_id=PORTAL_TAXONOMY_ID,
                language="en",
                category=category.value,
            )
            for category in NeedCategory
            if portal_term_id(category.value) not in existing
        ]
    )


def service_categories_set(*, service: Service, categories: list[str]) -> bool:
    """Say what a service offers with the portal taxonomy's terms, keeping attributes of other taxonomies. Rows are
    saved and deleted one by one, so that field history records each. True if anything changed."""
    portal_taxonomy_ensure()
    wanted = {portal_term_id(c) for c in categories if c in NeedCategory.values}
    current = list(Attribute.objects.filter(link_id=service.pk, taxonomy_term__taxonomy_id=PORTAL_TAXONOMY_ID))
    gone = [attribute for attribute in current if attribute.taxonomy_term_id not in wanted]
    for attribute in gone:
        attribute.delete()
    have = {attribute.taxonomy_term_id for attribute in current}
    for term_id in sorted(wanted - have):
        Attribute.objects.create(
            id=uuid.uuid5(_namespace(service), f"category:{term_id}"),
            link_id=service.pk,
            link_entity="service",
            link_type="service_category",
            taxonomy_term_id=term_id,
        )
    return bool(gone) or bool(wanted - have)


def service_languages_set(*, service: Service, codes: list[str]) -> bool:
    """The languages the service works in; rows of other codes go, known ones stay as they are."""
    wanted = {language_codes.normalise(c) for c in codes if c}
    rows = list(Language.objects.filter(service=service))
    gone = [row for row in rows if language_codes.normalise(row.code) not in wanted]
    for row in gone:
        row.delete()  # one by one, so that field history records it
    have = {language_codes.normalise(row.code) for row in rows}
    for code in sorted(wanted - have):
        Language.objects.create(
            id=uuid.uuid5(_namespace(service), f"language:{code}"),
            service=service,
            code=code,
            name=language_codes.language_name(code),
        )
    return bool(gone) or bool(wanted - have)


def service_documents_set(*, service: Service, documents: list[str]) -> bool:
    """The documents a person must bring, as HSDS ``required_documents`` records."""
    wanted = list(dict.fromkeys(d.strip() for d in documents if d.strip()))
    rows = list(HsdsRecord.objects.filter(table="required_documents", owner_id=service.pk))
    gone = [row for row in rows if row.data.get("document") not in wanted]
    for row in gone:
        row.delete()
    have = {row.data.get("document") for row in rows}
    added = [document for document in wanted if document not in have]
    for document in added:
        HsdsRecord.objects.create(
            id=uuid.uuid5(_namespace(service), f"document:{document}"),
            table="required_documents",
            owner_id=service.pk,
            data={"service_id": str(service.pk), "document": document},
        )
    return bool(gone) or bool(added)


def service_required_documents(service: Service) -> list[str]:
    return [
        str(document)
        for document in HsdsRecord.objects.filter(table="required_documents", owner_id=service.pk)
        .order_by("id")
        .values_list("data__document", flat=True)
        if document
    ]


def service_update(
    *,
    service: Service,
    actor: User,
    version: int,
    categories: list[str] | None = None,
    languages: list[str] | None = None,
    documents: list[str] | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Service:
    """Save a provider's edit of its listing, made on ``version``; a stale edit is refused."""
    unknown = set(changes) - set(EDITABLE_SERVICE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if not selectors.can_edit_service(actor, service):
        raise PermissionDenied
    with transaction.atomic():
        current = Service.objects.select_for_update().select_related("organization").get(pk=service.pk)
        if current.version != version:
            raise StaleServiceEdit(current.updated_at)
        changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
        for name in changed:
            setattr(current, name, changes[name])
        if categories is not None and service_categories_set(service=current, categories=categories):
            changed.append("categories")
        if languages is not None and service_languages_set(service=current, codes=languages):
            changed.append("languages")
        if documents is not None and service_documents_set(service=current, documents=documents):
            changed.append("required_documents")
        if not changed:
            return current  # nothing to record: the version stays, so nobody else's form goes stale
        current.version += 1
        current.last_modified = timezone.now()
        current.save()
        audit_record(
            action="services_directory.service.updated",
            actor=actor,
            request=request,
            target=current,
            details={"fields": changed},
        )
    return current


WEEKDAYS = tuple(Schedule.Weekday.values)  # MO ... SU
Hours = dict[str, tuple[time, time]]  # a weekday's code: (opens, closes); a day left out is closed


def _provider_edit(service: Service, actor: User, version: int) -> Service:
    """The listing locked for a provider's edit made on ``version``: refused to anyone but its agency's provider
    staff (``can_edit_service``), and refused when someone saved it since (``StaleServiceEdit``)."""
    if not selectors.can_edit_service(actor, service):
        raise PermissionDenied
    current = Service.objects.select_for_update().select_related("organization").get(pk=service.pk)
    if current.version != version:
        raise StaleServiceEdit(current.updated_at)
    return current


def _saved(current: Service, *, actor: User, request: HttpRequest | None, fields: list[str]) -> Service:
    current.version += 1
    current.last_modified = timezone.now()
    current.save(update_fields=["version", "last_modified", "updated_at"])
    audit_record(
        action="services_directory.service.updated",
        actor=actor,
        request=request,
        target=current,
        details={"fields": fields},
    )
    return current


def service_hours_set(
    *, service: Service, actor: User, version: int, hours: Hours, request: HttpRequest | None = None
) -> Service:
    """A provider's weekly opening hours, made on ``version``: one schedule row per set of days with the same hours
    (HSDS ``byday``), replacing the service's own weekly rows. Opening and closing at the same time is all day; a
    closing time before the opening is overnight."""
    if any(day not in WEEKDAYS for day in hours):
        raise ValidationError(_("Unknown day of the week."))
    wanted: dict[tuple[time, time], list[str]] = {}
    for day in WEEKDAYS:
        if day in hours:
            wanted.setdefault(hours[day], []).append(day)
    with transaction.atomic():
        current = _provider_edit(service, actor, version)
        rows = list(selectors.weekly_hours_of(current))
        have = {(row.opens_at, row.closes_at, row.byday) for row in rows}
        if have == {(opens, closes, ",".join(days)) for (opens, closes), days in wanted.items()}:
            return current
        for row in rows:
            row.delete()  # one by one, so that field history records each
        for (opens, closes), days in wanted.items():
            Schedule.objects.create(
                service=current, freq=Schedule.Frequency.WEEKLY, byday=",".join(days), opens_at=opens, closes_at=closes
            )
        return _saved(current, actor=actor, request=request, fields=["hours"])


def service_location_save(
    *,
    service: Service,
    actor: User,
    version: int,
    location: Location | None = None,
    name: str,
    address_1: str,
    address_2: str = "",
    city: str,
    state_province: str,
    postal_code: str,
    is_confidential: bool = False,
    transportation: str = "",
    request: HttpRequest | None = None,
) -> Service:
    """Add a location to a provider's service (``location`` None) or correct one of its locations, made on
    ``version``. The point that distance search reads comes from the ZIP code; a ZIP code the portal does not know
    is refused, since the service would then never be found by distance."""
    try:
        point = resolve(postal_code.strip())
    except UnknownPlace as error:
        raise ValidationError({"postal_code": str(error)}) from error
    with transaction.atomic():
        current = _provider_edit(service, actor, version)
        if location is None:
            location = Location.objects.create(organization_id=current.organization_id, name=name.strip())
            ServiceAtLocation.objects.create(service=current, location=location)
        elif not ServiceAtLocation.objects.filter(service=current, location=location).exists():
            raise PermissionDenied
        elif (
            # A place of no organization (HSDS leaves it optional) is the provider's to correct while only its
            # own listings name it.
            location.organization_id not in (None, current.organization_id)
            or ServiceAtLocation.objects.filter(location=location)
            .exclude(service__organization_id=current.organization_id)
            .exists()
        ):
            # A place another organization's listings also name (an import may link them): correcting it here would
            # change theirs, its confidentiality included. Their own provider corrects it, or the import.
            raise ValidationError(
                _("Another organization's listings share this location: it is corrected by the directory's import.")
            )
        location.name = name.strip()
        location.is_confidential = is_confidential
        location.transportation = transportation.strip()
        location.latitude, location.longitude = point.latitude, point.longitude
        location.save()
        address = location.addresses.filter(address_type=Address.Type.PHYSICAL).first() or Address(
            location=location, address_type=Address.Type.PHYSICAL, country="US"
        )
        address.address_1, address.address_2 = address_1.strip(), address_2.strip()
        address.city, address.state_province = city.strip(), state_province.strip().upper()
        address.postal_code = postal_code.strip()
        address.save()
        return _saved(current, actor=actor, request=request, fields=[f"location:{location.pk}"])


def service_location_remove(
    *, service: Service, actor: User, version: int, location: Location, request: HttpRequest | None = None
) -> Service:
    """Take a location off a provider's service (the location stays for the organization's other services)."""
    with transaction.atomic():
        current = _provider_edit(service, actor, version)
        links = ServiceAtLocation.objects.filter(service=current, location=location)
        if not links.exists():
            raise PermissionDenied
        for link in links:
            link.delete()
        return _saved(current, actor=actor, request=request, fields=[f"location:{location.pk}:removed"])


def service_capacity_update(
    *, service: Service, actor: User, capacity: str, count: int | None = None, request: HttpRequest | None = None
) -> Service:
    """Report today's capacity (one click from the listing); reporting the same again confirms it is current."""
    if capacity not in Service.Capacity.values or capacity == Service.Capacity.UNKNOWN:
        raise ValidationError({"capacity": _("Choose available, waitlist or full.")})
    if count is not None and count < 0:
        raise ValidationError({"capacity_count": _("The count cannot be negative.")})
    if not selectors.can_edit_service(actor, service):
        raise PermissionDenied
    with transaction.atomic():
        current = Service.objects.select_for_update().get(pk=service.pk)
        previous = current.capacity
        current.capacity = capacity
        current.capacity_count = None if capacity == Service.Capacity.FULL else count
        current.capacity_updated_at = timezone.now()
        current.capacity_updated_by = actor
        current.save(update_fields=["capacity", "capacity_count", "capacity_updated_at", "capacity_updated_by"])
        audit_record(
            action="services_directory.capacity.updated",
            actor=actor,
            request=request,
            target=current,
            details={"from": previous, "to": capacity, "count": current.capacity_count},
        )
    return current


def taxonomy_term_map(
    *, term: TaxonomyTerm, category: str, actor: User, request: HttpRequest | None = None
) -> TaxonomyTerm:
    """An administrator reads an unmapped term as one of the need categories ("" unmaps it)."""
    if category and category not in NeedCategory.values:
        raise ValidationError({"category": _("Not a need category.")})
    with transaction.atomic():
        term = TaxonomyTerm.objects.select_for_update().get(pk=term.pk)
        previous = term.category
        if previous == category:
            return term
        term.category = category
        term.save(update_fields=["category", "updated_at"])
        audit_record(
            action="services_directory.term.mapped",
            actor=actor,
            request=request,
            target=term,
            details={"from": previous, "to": category},
        )
    return term


# API tokens ----------------------------------------------------------------------------------------------------

TOKEN_PREFIXES = tuple(ApiToken.KEY_LABELS.values())  # the labels in front of keys, one per scope


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(
    *,
    agency: Agency,
    name: str,
    actor: User,
    scope: str = ApiToken.Scope.DIRECTORY,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new token for a partner system, for one ``scope``; the key is returned once and only its hash is kept."""
    if not selectors.can_issue_api_tokens(actor, agency):
        raise PermissionDenied
    label = ApiToken.KEY_LABELS[ApiToken.Scope(scope)]
    key = label + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            agency=agency,
            name=name.strip(),
            scope=scope,
            prefix=key[len(label) :][:8],
            key_hash=_hash(key),
            created_by=actor,
        )
        audit_record(
            action="services_directory.api_token.issued",
            actor=actor,
            request=request,
            target=token,
            details={"scope": scope},
        )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> ApiToken:
    if not selectors.can_issue_api_tokens(actor, token.agency):
        raise PermissionDenied
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit_record(action="services_directory.api_token.revoked", actor=actor, request=request, target=token)
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key, whatever its scope (the API asks ``token.allows(scope)``), its use recorded
    (at most once a minute, to spare the database)."""
    if not key.startswith(TOKEN_PREFIXES):
        return None
    token = (
        ApiToken.objects.select_related("agency")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, agency__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
