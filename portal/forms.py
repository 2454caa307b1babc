"""Every Django form renders USWDS markup: labels, hints, error messages and the right classes on each widget.

Templates live in ``portal/templates/portal/forms/``; widgets get their USWDS class here, in one place, so no
form has to remember to add them.
"""

import threading
from collections import OrderedDict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html

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


# --- An unbound form's fields, rendered once -------------------------------------------------------------------
# A list page shows its filter form on every visit, nearly always empty, and Django's templates made it a fifth of
# the page's time (a template per field, one per widget, two per choice of a menu; make bench). An empty form's
# HTML follows from what ``_unbound_key`` reads, so the same key gives the same HTML: it is kept per process, a
# bounded number of them, and never for a form that holds data (a filter can hold a person's name).

_RENDERED_MAX = 256
_rendered: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_rendered_lock = threading.Lock()


def _frozen(value: Any) -> Any:
    """``value`` as something hashable that compares equal exactly when it renders the same."""
    if isinstance(value, dict):
        return tuple(sorted((str(key), _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, bool | int | float | type(None)):
        return value
    return str(value)


def _unbound_key(form: forms.BaseForm) -> tuple[Any, ...] | None:
    """What an unbound form's fields render from: the form's class (by name), the language, its prefix, ids and
    label suffix, and each field's label, help, required and disabled flags, widget (class, attributes, input type)
    and initial value, and choices as they are now (a menu of agencies, read from the database). ``None`` for a
    bound form."""
    if form.is_bound:
        return None
    fields = []
    for name, field in form.fields.items():
        widget = field.widget
        choices = _frozen(list(field.choices)) if hasattr(field, "choices") else None
        fields.append(
            (
                name,
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                f"{type(widget).__module__}.{type(widget).__qualname__}",  # by name too (django-filter's CSV widgets)
                _frozen(widget.attrs),
                getattr(widget, "input_type", None),
                _frozen(form.get_initial_for_field(field, name)),
                choices,
            )
        )
    return (
        # By name: a FilterSet makes its form's class anew for each instance.
        f"{type(form).__module__}.{type(form).__qualname__}",
        type(form.renderer),
        translation.get_language(),
        form.prefix,
        str(form.auto_id),
        form.label_suffix,
        tuple(fields),
    )


def field_groups(form: forms.BaseForm, css_class: str) -> str:
    """Each field of ``form`` as its USWDS group (``as_field_group``), each in a ``<div class="css_class">``; an
    unbound form's, as rendered the first time the same key (``_unbound_key``) was seen in this process."""

    def render() -> str:
        return "".join(format_html('<div class="{}">{}</div>', css_class, field.as_field_group()) for field in form)

    key = _unbound_key(form)
    if key is None:
        return render()
    key = (*key, css_class)
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return html
    html = render()
    with _rendered_lock:
        _rendered[key] = html
        while len(_rendered) > _RENDERED_MAX:
            _rendered.popitem(last=False)
    return html
