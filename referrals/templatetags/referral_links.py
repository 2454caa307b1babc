"""Links into the referrals from pages of apps below them (the directory): the directory cannot ask a referrals
right without importing ``referrals``, so its templates ask this tag, which asks ``can_send_referrals``."""

from typing import Any

from django import template
from django.urls import reverse

from referrals import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def refer_someone_url(context: dict[str, Any], service: Any) -> str:
    """Where "Refer someone" to ``service`` leads (choosing the case and person), or "" for a reader who does not
    send referrals, or a service that takes none."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not service.is_active or not selectors.can_send_referrals(user):
        return ""
    return reverse("refer_choose", args=[service.pk])
