from django.urls import path

from referrals import pages

urlpatterns = [
    path("", pages.inbox, name="referral_inbox"),
    path("sent/", pages.outbox, name="referral_outbox"),
    path("board/", pages.board, name="referral_board"),
    path("board/history/", pages.board_history, name="referral_history"),
    path("notifications/", pages.notifications, name="notifications"),
    path("needs/<int:need_pk>/services/", pages.need_services, name="need_services"),
    path("needs/<int:need_pk>/services/<uuid:service_pk>/refer/", pages.refer_service, name="refer_service"),
    path("cases/<int:case_pk>/refer/", pages.refer_agency, name="refer_agency"),
    path("<int:pk>/", pages.referral_detail, name="referral_detail"),
    path("<int:pk>/letter.pdf", pages.referral_letter, name="referral_letter"),
    path("<int:pk>/reroute/", pages.referral_reroute, name="referral_reroute"),
    path("<int:pk>/messages/", pages.referral_message, name="referral_message"),
    path("<int:pk>/<slug:verb>/", pages.referral_step, name="referral_step"),
]
