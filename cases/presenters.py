"""How cases are put into words for pages and PDFs. The selectors decide what a reader may see; this module only
says it (docs/architecture.md §13: presentation apart from reads)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cases.models import Case, CaseParticipant

if TYPE_CHECKING:
    from cases.selectors.people import PersonView


def person_label(participant: CaseParticipant, view: "PersonView") -> str:
    """How a person is named to a viewer: their name, or their role and number when the identity is withheld."""
    if view.withholds("given_name"):
        return _("%(role)s #%(id)s (identity withheld)") % {"role": participant.get_role_display(), "id": view.pk}
    return f"{view.given_name} {view.family_name}".strip()


def indicator_labels(case: Case) -> list[str]:
    """The case's trafficking indicators in words (a code no longer offered is left out)."""
    return [str(Case.Indicator(code).label) for code in case.indicators if code in Case.Indicator.values]
