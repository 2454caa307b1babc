"""The tips API (issue 15, "Intake by API"; docs/decisions/0027-tips-api.md): a partner system (a hotline's case
system, an airline's in-flight reporting) posts a tip as JSON with an agency's API token of the tips scope, and the
tip lands in that agency's holding bin through ``services.tip_receive``, like a tip typed into the form.

``POST /api/tips/`` (described by ``tips/openapi.json``, served at ``/api/tips/openapi.json``):

- the token is read as the HSDS API reads it (``services_directory.api.bearer_token``); no token or an unknown or
  revoked one is 401, a token of another scope 403. A session is never read: the API is CSRF-exempt because only a
  token opens it. A wrong key is an audit event (``tips.api.refused``); refusals are counted per client address and
  calls per token, each past its limit a 429 with ``Retry-After`` (``PORTAL_TIPS_API_*RATE``);
- the body is JSON (415 otherwise), at most ``MAX_BODY_BYTES`` (413);
- the fields are checked by the tip form's own rules (``TipForm``, ``SubjectForm``) and the service's, each error
  under the path of its field (``{"errors": {"subjects[1].phone": ["..."]}}``, 400), nothing written;
- ``external_reference`` is required: the same reference from the same agency gives back the tip it made (200), a
  new one makes a tip (201). The answer is the tip's number, status, deadline and page, never what it holds.
"""

import json
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from portal.audit import audit_record, client_ip
from portal.models import AuditEvent
from services_directory.api import bearer_token
from services_directory.models import ApiToken
from tips import services
from tips.forms import SubjectForm, TipForm
from tips.models import Tip, TipSubject

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
MAX_BODY_BYTES = 256 * 1024  # a long narrative is a few pages; a tip's body is never near this
MAX_SUBJECTS = 10  # as the form's
BODY = "body"  # the key of errors about the body as a whole

# The body's fields and the tip form's field each one is: the API takes what the form takes, by the form's rules.
FIELDS: dict[str, str] = {
    "channel": "channel",
    "external_reference": "external_reference",
    "received_at": "received_at",
    "involves_minor": "involves_minor",
    "imminent_danger": "imminent_danger",
    "indicators": "indicators",
    "narrative": "narrative",
}
BLOCKS: dict[str, dict[str, str]] = {
    "reporter": {
        "name": "reporter_name",
        "role": "reporter_role",
        "phone": "reporter_phone",
        "email": "reporter_email",
        "permission": "reporter_permission",
        "crew_role": "reporter_crew_role",
    },
    "where": {"text": "where_text", "zip": "where_zip", "airport": "where_airport"},
    "flight": {
        "carrier": "flight_carrier",
        "number": "flight_number",
        "date": "flight_date",
        "departure_airport": "flight_departure_airport",
        "arrival_airport": "flight_arrival_airport",
        "scheduled_arrival": "flight_scheduled_arrival",
        "seats": "flight_seats",
        "party_size": "flight_party_size",
    },
}
SUBJECT_FIELDS = services.SUBJECT_FIELDS  # a subject's fields have the model's names
# The path in the body of each of the form's fields (and of the model's, which name the service's errors).
PATHS: dict[str, str] = {
    **{form_name: path for path, form_name in FIELDS.items()},
    **{form_name: f"{block}.{name}" for block, names in BLOCKS.items() for name, form_name in names.items()},
}
# Times must say their offset from UTC: a partner's clock is in no particular zone.
WITH_OFFSET = ("received_at", "flight.scheduled_arrival")


class ApiError(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _json(status: int, payload: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str) -> JsonResponse:
    response = _json(status, {"error": message})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="tips"'
    return response


def _too_many(seconds: int) -> JsonResponse:
    response = _error(429, _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": seconds})
    response["Retry-After"] = str(seconds)
    return response


# Rate limits: a count per key in the cache, for a fixed window ---------------------------------------------------


def _window(key: str, rate: tuple[int, timedelta]) -> tuple[str, int, int]:
    """The cache key of ``key``'s current window, the limit, and the seconds until the window ends."""
    limit, length = rate
    seconds = max(1, int(length.total_seconds()))
    now = time.time()
    slot = int(now // seconds)
    return f"tips-api:{key}:{slot}", limit, max(1, int((slot + 1) * seconds - now + 0.999))


def _count(key: str, rate: tuple[int, timedelta]) -> tuple[int, int]:
    """Count one more call against ``key``: the count in this window, and the seconds left in it."""
    cache_key, _limit, left = _window(key, rate)
    cache.add(cache_key, 0, timeout=left + 1)
    try:
        return cache.incr(cache_key), left
    except ValueError:  # the window ended between the two calls
        cache.set(cache_key, 1, timeout=left + 1)
        return 1, left


def _waiting(key: str, rate: tuple[int, timedelta]) -> int | None:
    """The seconds to wait when ``key`` already used up its window, else None (nothing counted)."""
    cache_key, limit, left = _window(key, rate)
    return left if (cache.get(cache_key) or 0) >= limit else None


# Who calls --------------------------------------------------------------------------------------------------------


def _authenticate(request: HttpRequest) -> ApiToken:
    """The token of the tips scope the request sends, else a 401 or 403 (or a 429 once the address has been
    refused too often: its refusals are no longer audited one by one)."""
    refused = f"refused:{client_ip(request) or '-'}"
    wait = _waiting(refused, settings.PORTAL_TIPS_API_REFUSED_RATE)
    if wait is not None:
        raise ApiError(_too_many(wait))
    token = bearer_token(request)
    if token is not None and token.allows(ApiToken.Scope.TIPS):
        return token
    _count(refused, settings.PORTAL_TIPS_API_REFUSED_RATE)
    if token is None:
        if "Authorization" in request.headers:  # a key was sent, and it is wrong or revoked
            audit_record(
                action="tips.api.refused",
                request=request,
                outcome=AuditEvent.Outcome.DENIED,
                details={"reason": "unknown_or_revoked_key"},
            )
        raise ApiError(_error(401, _("Send an API token that may send tips: Authorization: Bearer <token>.")))
    audit_record(
        action="tips.api.refused",
        request=request,
        actor_email=_token_label(token),
        agency=token.agency,
        target=token,
        outcome=AuditEvent.Outcome.DENIED,
        details={"reason": "scope", "scope": token.scope},
    )
    raise ApiError(_error(403, _("This token may not send tips.")))


def _token_label(token: ApiToken) -> str:
    return f"API token {token.name} ({token.key_label}{token.prefix}...)"


def _throttle(request: HttpRequest, token: ApiToken) -> None:
    count, left = _count(f"token:{token.pk}", settings.PORTAL_TIPS_API_RATE)
    limit = settings.PORTAL_TIPS_API_RATE[0]
    if count <= limit:
        return
    if count == limit + 1:  # once per window: the agency's auditors see a partner system flooding it
        audit_record(
            action="tips.api.throttled",
            request=request,
            actor_email=_token_label(token),
            agency=token.agency,
            target=token,
            outcome=AuditEvent.Outcome.DENIED,
            details={"limit": limit},
        )
    raise ApiError(_too_many(left))


# The body -------------------------------------------------------------------------------------------------------


def _read_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ApiError(_error(415, _("Send the tip as JSON: Content-Type: application/json.")))
    too_large = _error(413, _("The body is larger than %(kib)s KiB.") % {"kib": MAX_BODY_BYTES // 1024})
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            raise ApiError(too_large)  # refused unread
        body = request.body
    except ValueError:
        raise ApiError(_error(400, _("The Content-Length header is not a number."))) from None
    except RequestDataTooBig:
        raise ApiError(too_large) from None
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(too_large)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ApiError(_json(400, {"errors": {BODY: [_("The body is not valid JSON.")]}})) from None
    if not isinstance(data, dict):
        raise ApiError(_json(400, {"errors": {BODY: [_("Send one tip as a JSON object.")]}}))
    return data


class Errors(dict[str, list[str]]):
    def add(self, path: str, message: str) -> None:
        messages = self.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    def add_form(self, form: forms.BaseForm, paths: dict[str, str], whole: str) -> None:
        """The form's errors under the body's paths; a field already wrong in type (so not given to the form) keeps
        that error alone."""
        named = set(self)
        for name, errors in form.errors.items():
            path = whole if name == NON_FIELD_ERRORS else paths.get(name, name)
            if path in named and path != whole:
                continue
            for message in errors:
                self.add(path, str(message))


def _typed(value: Any, field: forms.Field, path: str, errors: Errors) -> Any:
    """``value`` as the form field takes it, or an error for a value of the wrong JSON type (null: not given)."""
    if value is None:
        return None
    if isinstance(field, forms.BooleanField):
        ok, wanted = isinstance(value, bool), _("Expected true or false.")
    elif isinstance(field, forms.IntegerField):
        ok, wanted = isinstance(value, int) and not isinstance(value, bool), _("Expected a whole number.")
    elif isinstance(field, forms.MultipleChoiceField):
        ok, wanted = isinstance(value, list) and all(isinstance(v, str) for v in value), _("Expected a list of codes.")
    else:
        ok, wanted = isinstance(value, str), _("Expected text.")
    if not ok:
        errors.add(path, wanted)
        return None
    if path in WITH_OFFSET:
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
        if moment is not None and timezone.is_naive(moment):
            errors.add(path, _("Give the time with its offset from UTC, e.g. 2026-12-03T14:05:00-05:00."))
            return None
    return value


def _unknown(given: dict[str, Any], known: Any, prefix: str, errors: Errors) -> None:
    for name in sorted(set(given) - set(known)):
        errors.add(f"{prefix}{name}", _("Unknown field."))


def _tip_form_data(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The body as the tip form's data (its blocks flattened), with errors for unknown fields and wrong types."""
    fields = TipForm.base_fields
    _unknown(data, [*FIELDS, *BLOCKS, "subjects"], "", errors)
    flat: dict[str, Any] = {}
    for path, name in FIELDS.items():
        flat[name] = _typed(data.get(path), fields[name], path, errors)
    for block, names in BLOCKS.items():
        values = data.get(block)
        if values is None:
            continue
        if not isinstance(values, dict):
            errors.add(block, _("Expected an object."))
            continue
        _unknown(values, names, f"{block}.", errors)
        for key, name in names.items():
            flat[name] = _typed(values.get(key), fields[name], f"{block}.{key}", errors)
    if data.get("channel") != Tip.Channel.AIRLINE:  # the service would drop them: say so instead
        reporter = data.get("reporter")
        if data.get("flight") not in (None, {}):
            errors.add("flight", _("Only an airline report has a flight."))
        if isinstance(reporter, dict) and reporter.get("crew_role") not in (None, ""):
            errors.add("reporter.crew_role", _("Only an airline report has a crew role."))
        for name in [*BLOCKS["flight"].values(), "reporter_crew_role"]:  # named above, not again by the form
            flat.pop(name, None)
    flat["reporter_permission"] = flat.get("reporter_permission") or Tip.ReporterPermission.NOT_ASKED
    return {name: value for name, value in flat.items() if value is not None}


def _subjects(data: dict[str, Any], errors: Errors) -> list[dict[str, Any]]:
    """The subjects, each checked by the form's subject form: its fields as ``tip_receive`` takes them."""
    given = data.get("subjects")
    if given is None:
        return []
    if not isinstance(given, list):
        errors.add("subjects", _("Expected a list."))
        return []
    if len(given) > MAX_SUBJECTS:
        errors.add("subjects", _("At most %(count)s subjects.") % {"count": MAX_SUBJECTS})
        return []
    subjects = []
    for index, values in enumerate(given):
        prefix = f"subjects[{index}]"
        if not isinstance(values, dict):
            errors.add(prefix, _("Expected an object."))
            continue
        _unknown(values, SUBJECT_FIELDS, f"{prefix}.", errors)
        before = len(errors)
        flat = {
            name: _typed(values.get(name), SubjectForm.base_fields[name], f"{prefix}.{name}", errors)
            for name in SUBJECT_FIELDS
        }
        flat["sex"] = flat.get("sex") or TipSubject.Sex.UNKNOWN
        form = SubjectForm(data={name: value for name, value in flat.items() if value is not None})
        if not form.is_valid():
            errors.add_form(form, {name: f"{prefix}.{name}" for name in SUBJECT_FIELDS}, prefix)
        elif not form.cleaned_data.get("role"):
            errors.add(f"{prefix}.role", _("Say who this person is in the tip."))
        elif len(errors) == before:
            subjects.append({name: v for name, v in form.cleaned_data.items() if v not in (None, "")})
    return subjects


def _validated(data: dict[str, Any]) -> tuple[TipForm, list[dict[str, Any]]]:
    errors = Errors()
    form = TipForm(data=_tip_form_data(data, errors))
    subjects = _subjects(data, errors)
    if not form.is_valid():
        errors.add_form(form, PATHS, BODY)
    if errors:
        raise ApiError(_json(400, {"errors": dict(errors)}))
    return form, subjects


def _reference(data: dict[str, Any]) -> str:
    reference = data.get("external_reference")
    if not isinstance(reference, str) or not reference.strip():
        message = _("Send your system's reference for the tip: sent again, it gives back the same tip.")
        raise ApiError(_json(400, {"errors": {"external_reference": [message]}}))
    return reference.strip()


def _existing(token: ApiToken, reference: str) -> Tip | None:
    """The tip the token's agency already has under this reference (whoever sent it: the API, or a person)."""
    return Tip.objects.filter(receiving_agency=token.agency_id, external_reference=reference).first()


def _answer(request: HttpRequest, tip: Tip, status: int) -> JsonResponse:
    """What the partner learns: the tip's number, status, deadline and page. Never its content or reporter."""
    return _json(
        status,
        {
            "id": tip.pk,
            "status": tip.status,
            "assess_by": tip.assess_by.astimezone(UTC).isoformat(),
            "url": request.build_absolute_uri(reverse("tip_detail", args=[tip.pk])),
        },
    )


def _service_errors(error: ValidationError) -> JsonResponse:
    errors = Errors()
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            path = BODY if name == NON_FIELD_ERRORS else PATHS.get(name, BODY)
            for message in messages:
                errors.add(path, message)
    else:
        for message in error.messages:
            errors.add(BODY, message)
    return _json(400, {"errors": dict(errors)})


def _receive(request: HttpRequest) -> HttpResponse:
    token = _authenticate(request)
    _throttle(request, token)
    data = _read_body(request)
    reference = _reference(data)
    existing = _existing(token, reference)
    if existing is not None:
        return _answer(request, existing, 200)
    form, subjects = _validated(data)
    try:
        tip = services.tip_receive(
            actor=None, api_token=token, subjects=subjects, request=request, **form.service_fields()
        )
    except PermissionDenied:
        return _error(403, _("This token may not send tips."))
    except (ValidationError, IntegrityError) as error:
        # Two posts of the same reference at once: the second finds the first's tip (its own wrote nothing).
        existing = _existing(token, reference)
        if existing is not None:
            return _answer(request, existing, 200)
        if isinstance(error, IntegrityError):
            raise
        return _service_errors(error)
    return _answer(request, tip, 201)


@csrf_exempt  # a token, never a cookie, opens it: no session is read (below)
@login_not_required
@never_cache
def receive(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _error(405, _("Send a tip with POST."))
        response["Allow"] = "POST"
        return response
    request.user = AnonymousUser()  # whoever is signed in in this browser, the token alone acts
    try:
        return _receive(request)
    except ApiError as refused:
        return refused.response


@login_not_required
def openapi(request: HttpRequest) -> HttpResponse:
    """The API's description, for partners building against it: public, as it holds no data."""
    return JsonResponse(json.loads(OPENAPI_PATH.read_text()))
