from django.urls import path

from agencies import language, views

urlpatterns = [
    path("language/", language.switch_language, name="switch_language"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.member_invite, name="member_invite"),
    path("people/<int:pk>/role/", views.member_change_role, name="member_change_role"),
    path("people/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("people/<int:pk>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("people/<int:pk>/unlock/", views.member_unlock, name="member_unlock"),
    path(
        "people/<int:pk>/reset-second-factors/", views.member_reset_second_factors, name="member_reset_second_factors"
    ),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("authenticator/link/<str:uidb64>/<str:token>/", views.mfa_enrolment_link, name="mfa_enrolment_link"),
    path("authenticator/link-needed/", views.mfa_enrolment_link_needed, name="mfa_enrolment_link_needed"),
    path("audit/", views.audit_trail, name="audit_trail"),
    path("audit/export.csv", views.audit_trail_export, name="audit_trail_export"),
]
