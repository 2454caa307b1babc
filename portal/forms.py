"""Every Django form renders USWDS markup: labels, hints, error messages and the right classes on each widget.

Templates live in ``portal/templates/portal/forms/``; widgets get their USWDS class here, in one place, so no
form has to remember to add them.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest

_WIDGET_CLASSES = {
    "django/forms/widgets/select.html": "usa-select",
    "django/forms/widgets/select_multiple.html": "usa-select",
    "django/forms/widgets/textarea.html": "usa-textarea",
    "django/forms/widgets/checkbox.html": "usa-checkbox__input",
    "django/forms/widgets/radio_option.html": "usa-radio__input",
    "django/forms/widgets/checkbox_option.html": "usa-checkbox__input",
    "django/forms/widgets/clearable_file_input.html": "usa-file-input",
    "django/forms/widgets/file.html": "usa-file-input",
}
_TEXT_INPUT_TYPES = {
    "text",
    "email",
    "password",
    "number",
    "url",
    "date",
    "datetime-local",
    "time",
    "tel",
    "search",
}


def uswds_widget_class(widget: dict[str, Any], template_name: str) -> str | None:
    css = _WIDGET_CLASSES.get(template_name)
    if css is None and widget.get("type") in _TEXT_INPUT_TYPES:
        css = "usa-input"
    if css and widget.get("attrs", {}).get("aria-invalid") == "true":
        css += " usa-input--error"
    return css


class USWDSFormRenderer(TemplatesSetting):
    form_template_name = "portal/forms/form.html"
    field_template_name = "portal/forms/field.html"

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and template_name.startswith("django/forms/widgets/"):
            css = uswds_widget_class(widget, template_name)
            if css:
                attrs = dict(widget.get("attrs") or {})
                existing = attrs.get("class", "")
                if css.split()[0] not in existing.split():
                    attrs["class"] = f"{css} {existing}".strip()
                widget["attrs"] = attrs
        return super().render(template_name, context, request)


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ``ValidationError`` onto a form: each message under its field when the form has that field, at
    the top otherwise (a service may name a field the form does not show, which ``form.add_error`` would refuse)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        for item in errors:
            form.add_error(field if field in form.fields else None, item)
