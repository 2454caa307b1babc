"""Links from the directory's pages into the apps above it: the directory imports none of them, so it asks the
function ``settings.DIRECTORY_REFER_SOMEONE`` names (``referrals.links.refer_someone_url``), and links nowhere when
it names none."""

from typing import Any

from django import template
from django.conf import settings
from django.utils.module_loading import import_string

register = template.Library()


@register.simple_tag(takes_context=True)
def refer_someone_url(context: dict[str, Any], service: Any) -> str:
    """Where "Refer someone" to ``service`` leads for the page's reader, or "" where it leads nowhere."""
    dotted_path = getattr(settings, "DIRECTORY_REFER_SOMEONE", "")
    if not dotted_path:
        return ""
    request = context.get("request")
    return str(import_string(dotted_path)(getattr(request, "user", None), service))
