from django.conf import settings


def portal(request):
    return {
        "portal_name": getattr(settings, "PORTAL_NAME", "HT Portal"),
        "portal_debug": settings.DEBUG,
    }
