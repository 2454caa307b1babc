"""Who may do what with immigration relief: one table of the kinds of relief and one of the steps (decision 0033).
The services enforce these, the forms offer only what they allow, and the pages show them in words."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from protection.models import ReliefAction

K = ReliefAction.Kind
A = Agency.Kind
LAW_ENFORCEMENT = frozenset({A.FEDERAL_LE, A.STATE_LE, A.LOCAL_LE, A.PROSECUTOR})
# Certifying agencies of a U visa (8 CFR 214.14(a)(2)) include judges and agencies such as the Department of Labor,
# but the portal asks only law enforcement and prosecutors: "other government" never sees relief (1367, decision
# 0033), so it could neither read nor decide a certification asked of it. Another certifier signs outside the portal.
CERTIFYING = LAW_ENFORCEMENT


@dataclass(frozen=True)
class KindRule:
    """``agencies``: the kinds of agency that may be its requesting (or signing) agency; None: any, or none named.
    ``own_agency``: only people of that agency record it (an agency requests Continued Presence for itself).
    ``signed``: a request to an agency to sign, which that agency's people grant or decline (with a reason).
    ``reminds``: its grant's expiry is reminded at 90, 60 and 30 days. ``who``: the rule in words."""

    agencies: frozenset[str] | None
    who: str | Promise
    own_agency: bool = False
    signed: bool = False
    reminds: bool = False
    needs_agency: bool = False


KINDS: dict[str, KindRule] = {
    K.CONTINUED_PRESENCE: KindRule(
        frozenset({A.FEDERAL_LE}),
        _("Requested only by a federal law-enforcement agency, for itself."),
        own_agency=True,
        reminds=True,
        needs_agency=True,
    ),
    K.CONTINUED_PRESENCE_RENEWAL: KindRule(
        frozenset({A.FEDERAL_LE}),
        _("Requested only by a federal law-enforcement agency, for itself."),
        own_agency=True,
        reminds=True,
        needs_agency=True,
    ),
    K.DEFERRED_ACTION: KindRule(None, _("Requested of USCIS by the victim or for them.")),
    K.T_DECLARATION: KindRule(
        LAW_ENFORCEMENT,
        _("Any law-enforcement agency may sign it; the agency asked grants or declines, and a decline says why."),
        signed=True,
        needs_agency=True,
    ),
    K.U_CERTIFICATION: KindRule(
        CERTIFYING,
        _(
            "A law-enforcement agency or a prosecutor signs it (another certifying agency, such as the Department "
            "of Labor, signs outside the portal); the agency asked grants or declines, and a decline says why."
        ),
        signed=True,
        needs_agency=True,
    ),
    K.HHS_NOTIFICATION: KindRule(
        None, _("Any agency that identifies a foreign-national minor tells HHS within 24 hours.")
    ),
    K.INTERIM_ASSISTANCE: KindRule(None, _("Issued by HHS for a minor: 90 days, extendable by 30.")),
    K.ELIGIBILITY_LETTER: KindRule(None, _("Issued by HHS for a minor.")),
    K.CERTIFICATION_LETTER: KindRule(None, _("Issued by HHS for an adult.")),
    K.T_VISA: KindRule(None, _("Filed with USCIS by the victim, usually through their attorney.")),
    K.U_VISA: KindRule(None, _("Filed with USCIS by the victim, usually through their attorney.")),
    K.EMPLOYMENT_AUTHORIZATION: KindRule(None, _("Filed with USCIS by the victim."), reminds=True),
}
EXPIRY_REMINDED = frozenset(kind for kind, rule in KINDS.items() if rule.reminds)
SIGNED = frozenset(kind for kind, rule in KINDS.items() if rule.signed)


@dataclass(frozen=True)
class Step:
    """A status change: its verb (the transition's name), its button, whether it needs a reason, and whether only
    the signing agency takes it for a signed kind."""

    verb: str
    label: str | Promise
    reason_required: bool = False
    signer_only: bool = True


STEPS: dict[str, Step] = {
    "submit": Step("submit", _("Mark as submitted"), signer_only=False),
    "grant": Step("grant", _("Mark as granted")),
    "deny": Step("deny", _("Mark as declined or denied"), reason_required=True),
    "withdraw": Step("withdraw", _("Withdraw"), signer_only=False),
    "extend": Step("extend", _("Extend by 30 days"), signer_only=False),
}


def agency_allowed(kind: str, agency: Agency | None) -> bool:
    """Whether ``agency`` may be the requesting (or signing) agency of relief of ``kind``."""
    rule = KINDS[kind]
    if agency is None:
        return not rule.needs_agency
    return rule.agencies is None or agency.kind in rule.agencies
