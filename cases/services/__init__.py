"""Every write to cases, by sub-domain (HackSoft's rule for an app covering several): cases (``cases``), who else
sees them (``shares``) and asking to see more (``requests``), their people and consents (``people``), needs, notes
and files (``records``) and meeting packets (``meetings``). Each service checks the actor's right through
``cases.selectors``, writes in one transaction with its audit event, and derives the guardian rows itself. Every
public name is importable from here, as ``from cases import services`` reads it."""

from cases.services.cases import (
    EDITABLE_CASE_FIELDS,
    STATUS_CHANGES,
    StaleEdit,
    case_assign,
    case_create,
    case_status_changes_for,
    case_transition,
    case_update,
)
from cases.services.meetings import meeting_packet_open, meeting_packet_request, meeting_packets_purge
from cases.services.people import (
    EDITABLE_PERSON_FIELDS,
    StalePersonEdit,
    consent_record,
    consent_revoke,
    person_add_to_case,
    person_link_to_case,
    person_update,
)
from cases.services.records import (
    MAX_DOCUMENT_BYTES,
    document_upload,
    need_add,
    need_mark_met,
    note_add,
    service_event_record,
    service_events_from_referral,
)
from cases.services.requests import (
    AccessAsk,
    access_ask_for,
    access_levels_to_ask,
    access_request_approve,
    access_request_create,
    access_request_decline,
    consent_request_client_declined,
    consent_request_create,
    consent_requests_fulfil,
)
from cases.services.shares import (
    LAW_ENFORCEMENT_LEVELS,
    SHARE_LEVEL_PERMISSIONS,
    case_share_approve,
    case_share_decline,
    case_share_grant,
    case_share_revoke,
    case_share_withdraw,
    share_level_allowed,
    share_level_check,
)
from cases.services.victims import (
    IDENTIFICATION_FIELDS,
    StaleIdentificationEdit,
    identifications_follow_date_of_birth,
    victim_identification_save,
)

__all__ = [
    "EDITABLE_CASE_FIELDS",
    "EDITABLE_PERSON_FIELDS",
    "IDENTIFICATION_FIELDS",
    "LAW_ENFORCEMENT_LEVELS",
    "MAX_DOCUMENT_BYTES",
    "SHARE_LEVEL_PERMISSIONS",
    "STATUS_CHANGES",
    "AccessAsk",
    "StaleEdit",
    "StaleIdentificationEdit",
    "StalePersonEdit",
    "access_ask_for",
    "access_levels_to_ask",
    "access_request_approve",
    "access_request_create",
    "access_request_decline",
    "case_assign",
    "case_create",
    "case_share_approve",
    "case_share_decline",
    "case_share_grant",
    "case_share_revoke",
    "case_share_withdraw",
    "case_status_changes_for",
    "case_transition",
    "case_update",
    "consent_record",
    "consent_request_client_declined",
    "consent_request_create",
    "consent_requests_fulfil",
    "consent_revoke",
    "document_upload",
    "identifications_follow_date_of_birth",
    "meeting_packet_open",
    "meeting_packet_request",
    "meeting_packets_purge",
    "need_add",
    "need_mark_met",
    "note_add",
    "person_add_to_case",
    "person_link_to_case",
    "person_update",
    "service_event_record",
    "service_events_from_referral",
    "share_level_allowed",
    "share_level_check",
    "victim_identification_save",
]
