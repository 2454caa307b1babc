"""``{% field_groups form "classes" %}``: a form's fields as USWDS groups, each in a ``div`` of those classes
(``portal.forms.field_groups``: an empty form's HTML is rendered once per process and key)."""

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

from portal import forms as portal_forms

register = template.Library()


@register.simple_tag
def field_groups(form: forms.BaseForm, css_class: str) -> SafeString:
    return mark_safe(portal_forms.field_groups(form, css_class))  # noqa: S308  (built with format_html)
