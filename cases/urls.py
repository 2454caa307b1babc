from django.urls import path

from cases import views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("people/", views.person_search, name="person_search"),
    path("meetings/", views.meeting_packets, name="meeting_packets"),
    path("consent-requests/", views.consent_requests, name="consent_requests"),
    path(
        "consent-requests/<int:request_pk>/client-declined/",
        views.consent_request_declined,
        name="consent_request_declined",
    ),
    path("meetings/<int:pk>/", views.meeting_packet_detail, name="meeting_packet_detail"),
    path("meetings/<int:pk>/packet.pdf", views.meeting_packet_download, name="meeting_packet_download"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/packet.pdf", views.case_packet, name="case_packet"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("<int:pk>/people/add/", views.participant_add, name="participant_add"),
    path("<int:pk>/people/find/", views.participant_find, name="participant_find"),
    path("<int:pk>/people/link/", views.participant_link, name="participant_link"),
    path("<int:pk>/people/<int:person_pk>/edit/", views.person_edit, name="person_edit"),
    path(
        "<int:pk>/people/<int:person_pk>/identification/",
        views.victim_identification_edit,
        name="victim_identification_edit",
    ),
    path("<int:pk>/share/", views.case_share, name="case_share"),
    path("<int:pk>/shares/<int:share_pk>/revoke/", views.share_revoke, name="share_revoke"),
    path(
        "<int:pk>/shares/<int:share_pk>/approve/",
        views.share_decide,
        {"decision": "approve"},
        name="share_approve",
    ),
    path(
        "<int:pk>/shares/<int:share_pk>/decline/",
        views.share_decide,
        {"decision": "decline"},
        name="share_decline",
    ),
    path("<int:pk>/ask-for-access/", views.access_request_create, name="access_request_create"),
    path(
        "<int:pk>/access-requests/<int:request_pk>/approve/",
        views.access_request_approve,
        name="access_request_approve",
    ),
    path(
        "<int:pk>/access-requests/<int:request_pk>/decline/",
        views.access_request_decline,
        name="access_request_decline",
    ),
    path(
        "<int:pk>/people/<int:person_pk>/ask-for-consent/",
        views.consent_request_create,
        name="consent_request_create",
    ),
    path("<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("<int:pk>/consents/<int:consent_pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("<int:pk>/notes/add/", views.note_add, name="note_add"),
    path("<int:pk>/needs/add/", views.need_add, name="need_add"),
    path("<int:pk>/needs/<int:need_pk>/met/", views.need_met, name="need_met"),
    path("<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
]
