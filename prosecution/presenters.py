"""The words of the prosecution section on the case page and in the packet."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from prosecution.models import Charge


def _day(day: date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else ""


def decision_text(charge: Charge) -> str:
    """The charging decision in a sentence: pending, or charged or declined, when, by which prosecutor (and why)."""
    if charge.decision == Charge.Decision.PENDING:
        return _("Charging decision pending.")
    agency = charge.prosecuting_agency
    words = {"day": _day(charge.decided_on), "agency": agency.name if agency is not None else ""}
    if charge.decision == Charge.Decision.CHARGED:
        return _("Charged on %(day)s by %(agency)s.") % words
    return _("Declined on %(day)s by %(agency)s: %(reason)s") % {**words, "reason": charge.decline_reason}


def disposition_text(charge: Charge) -> str:
    """The disposition in a sentence, with its day and the sentence of a conviction; empty before a charge is
    brought."""
    if charge.decision != Charge.Decision.CHARGED:
        return ""
    if charge.disposition == Charge.Disposition.PENDING:
        return _("Disposition pending.")
    text = _("%(disposition)s on %(day)s.") % {
        "disposition": charge.get_disposition_display(),
        "day": _day(charge.disposed_on),
    }
    if charge.sentence:
        text += " " + _("Sentence: %(sentence)s") % {"sentence": charge.sentence}
    return text
