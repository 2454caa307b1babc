from django.urls import path

from referrals import views

urlpatterns = [
    path("needs/<int:need_pk>/services/", views.need_services, name="need_services"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
]
