from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.navigation import navigation_for


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "portal_name": getattr(settings, "PORTAL_NAME", "HT Portal"),
        "navigation": SimpleLazyObject(lambda: navigation_for(user)) if user is not None else [],
    }
