"""Sections that an app above ``cases`` adds to the case page and the case packet (setting ``CASE_SECTIONS``).

``cases`` never imports the apps above it (docs/architecture.md §3). An app whose records belong to a case (the
immigration relief of ``protection``, the arrests and charges of ``prosecution``) names a function in
``CASE_SECTIONS``; the case page and the packet ask each for its section, given the reader and their access, and lay
out what comes back. The function applies its own app's rule (one place decides) and returns ``None`` when the
reader may see nothing of it, so a section that is withheld is not even announced.

A section says what it carries: the audit events of its reads (every read of a victim's protected data is one), and
whether it shows personal or law-enforcement-sensitive information (the packet's handling mark follows).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from agencies.models import User
    from cases.selectors.cases import CaseAccess
    from cases.selectors.dossier import CaseDossier


@dataclass
class CaseSection:
    """One app's part of a case as one reader may see it.

    ``page_template`` and ``print_template`` are rendered with ``section`` (this object) and the case page's or the
    packet's context; they show a heading's content, not the heading (the page and the packet write it, from
    ``title``, so the packet's contents can list it). ``reads`` are audit events (``action``, ``target``,
    ``details``) written when the page or a packet shows the section; the packet adds ``via: packet`` to each.
    """

    key: str
    title: str
    page_template: str
    print_template: str
    context: dict[str, Any] = field(default_factory=dict)
    reads: list[dict[str, Any]] = field(default_factory=list)
    shows_pii: bool = False
    shows_le_sensitive: bool = False


SectionProvider = Callable[["User", "CaseAccess", "CaseDossier"], CaseSection | None]


def case_sections_for(user: "User", access: "CaseAccess", dossier: "CaseDossier") -> list[CaseSection]:
    """Each section the apps above ``cases`` show ``user`` of the case, in the setting's order (read on each call,
    so a test may override it; ``import_string`` finds an imported module in ``sys.modules``)."""
    providers: list[SectionProvider] = [import_string(path) for path in getattr(settings, "CASE_SECTIONS", ())]
    return [section for provider in providers if (section := provider(user, access, dossier)) is not None]
