from django.urls import path

from agencies import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/role/", views.person_change_role, name="person_change_role"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/unlock/", views.person_unlock, name="person_unlock"),
    path(
        "people/<int:pk>/reset-second-factors/", views.person_reset_second_factors, name="person_reset_second_factors"
    ),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("authenticator/link/<str:uidb64>/<str:token>/", views.mfa_enrolment_link, name="mfa_enrolment_link"),
    path("authenticator/link-needed/", views.mfa_enrolment_link_needed, name="mfa_enrolment_link_needed"),
    path("audit/", views.audit_trail, name="audit_trail"),
    path("audit/export.csv", views.audit_trail_export, name="audit_trail_export"),
]
