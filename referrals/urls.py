from django.urls import path

from referrals import views

urlpatterns = [
    path("", views.inbox, name="referral_inbox"),
    path("sent/", views.outbox, name="referral_outbox"),
    path("board/", views.board, name="referral_board"),
    path("board/history/", views.board_history, name="referral_history"),
    path("notifications/", views.notifications, name="notifications"),
    path("needs/<int:need_pk>/services/", views.need_services, name="need_services"),
    path("needs/<int:need_pk>/services/<uuid:service_pk>/refer/", views.refer_service, name="refer_service"),
    path("services/<uuid:service_pk>/refer/", views.refer_choose, name="refer_choose"),
    path("cases/<int:case_pk>/refer/", views.refer_agency, name="refer_agency"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/letter.pdf", views.referral_letter, name="referral_letter"),
    path("<int:pk>/reroute/", views.referral_reroute, name="referral_reroute"),
    path("<int:pk>/messages/", views.referral_message, name="referral_message"),
    path("<int:pk>/<slug:verb>/", views.referral_step, name="referral_step"),
]
