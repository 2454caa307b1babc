"""What the directory's pages link to in the referrals, named in ``settings.DIRECTORY_REFER_SOMEONE`` (the directory
sits below ``referrals`` and does not import it; services_directory/templatetags/directory_links.py asks this)."""

from typing import Any

from django.urls import reverse

from referrals import selectors


def refer_someone_url(user: Any, service: Any) -> str:
    """Where "Refer someone" to ``service`` leads (choosing the case and person), or "" for a reader who does not
    send referrals, or a service that takes none."""
    if user is None or not user.is_authenticated or not service.is_active or not selectors.can_send_referrals(user):
        return ""
    return reverse("refer_choose", args=[service.pk])
