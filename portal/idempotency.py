"""A form sent twice creates once (docs/decisions/0017-submission-keys.md).

A create form carries a hidden, random ``submission_key`` (``SubmissionKeyField``), rendered by the server, so it
works without JavaScript. Its service passes the key to ``create_once``: the first POST creates the object with the
key stored; a second POST with the same key (a retry after a lost answer, a double click) gets that object back and
writes nothing, not even an audit event. The key is stored per person (``owned_key``): another person posting the
same key never gets someone else's object, theirs is simply a new submission."""

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from django import forms
from django.db import IntegrityError, models, transaction

# Fixed: stored keys derive from it, so changing it would let a retry of an older form create twice.
_NAMESPACE = uuid.UUID("5b0c8a52-3f4e-4f0a-9a43-2a1d6c1f7e13")


class _Actor(Protocol):
    pk: Any


class SubmissionKeyField(forms.UUIDField):
    """The hidden key of one filled-in form: a new one each time the empty form is shown, the posted one when the
    form comes back with errors. Optional: a form posted without it is created, unprotected, as before."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


def submission_key_model_field() -> models.UUIDField:
    """The column a created model keeps its (per-person) submission key in: unique, empty for rows made otherwise."""
    return models.UUIDField(null=True, blank=True, unique=True, editable=False)


def owned_key(actor: _Actor, key: uuid.UUID | None) -> uuid.UUID | None:
    """The key as stored: the form's key bound to who posted it, so the same key from two people is two keys."""
    if key is None:
        return None
    return uuid.uuid5(_NAMESPACE, f"{actor.pk}:{key}")


def create_once[M: models.Model](
    model: type[M], *, actor: _Actor, key: uuid.UUID | None, create: Callable[[uuid.UUID | None], M]
) -> M:
    """Return the object ``actor`` already created with ``key``, or call ``create(stored_key)``, which saves the
    object with ``submission_key=stored_key`` and writes its audit event in its own transaction.

    Two copies of the same POST at the same moment both miss the lookup; the unique column refuses the second, which
    then returns the first's object (its transaction rolled back, so it wrote nothing)."""
    stored = owned_key(actor, key)
    if stored is None:
        return create(None)
    existing = _created_with(model, stored)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create(stored)
    except IntegrityError:
        existing = _created_with(model, stored)
        if existing is None:
            raise
        return existing


def _created_with[M: models.Model](model: type[M], stored: uuid.UUID) -> M | None:
    return model._default_manager.filter(submission_key=stored).first()
