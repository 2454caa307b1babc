from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.http import AuthenticatedHttpRequest


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "portal/home.html",
        {
            "membership": user.membership,
            "can_manage_people": user.is_superuser or user.has_perm("agencies.manage_agency_people"),
            "can_read_audit": user.is_superuser or user.has_perm("portal.view_auditevent"),
        },
    )


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Public: for the load balancer. Says only whether the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
