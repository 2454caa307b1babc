"""Which taxonomy terms the portal recognises, and as which need category.

Three vocabularies are read:
- the portal's own taxonomy (its terms' codes are the category values), which providers' edits in the portal use;
- Open Eligibility (openeligibility.org), by term name;
- the 211 / AIRS Taxonomy (211taxonomy.org), by code prefix, the most specific prefix winning.

Terms of any other taxonomy are kept and left unmapped (``TaxonomyTerm.category == ""``) for an administrator
to map; an import never fails because of them.
"""

import re
import uuid
from typing import Any

from portal.categories import NeedCategory as C

PORTAL_TAXONOMY_ID = uuid.UUID("6f1f4d4e-8a4e-5b7e-9a43-3c1f4f0f6a10")
PORTAL_TAXONOMY_NAME = "HT Portal need categories"
PORTAL_TAXONOMY_URI = "https://github.com/ht-portal/ht-portal/blob/main/portal/categories.py"


def portal_term_id(category: str) -> uuid.UUID:
    """The fixed id of the portal taxonomy's term for a category, the same in every installation."""
    return uuid.uuid5(PORTAL_TAXONOMY_ID, category)


OPEN_ELIGIBILITY_NAMES: dict[str, str] = {
    "emergency shelter": C.EMERGENCY_SHELTER,
    "temporary shelter": C.EMERGENCY_SHELTER,
    "shelter": C.EMERGENCY_SHELTER,
    "transitional housing": C.TRANSITIONAL_HOUSING,
    "housing": C.TRANSITIONAL_HOUSING,
    "legal": C.LEGAL_IMMIGRATION,
    "legal aid": C.LEGAL_IMMIGRATION,
    "immigration": C.LEGAL_IMMIGRATION,
    "medical care": C.MEDICAL,
    "health": C.MEDICAL,
    "medical": C.MEDICAL,
    "mental health care": C.MENTAL_HEALTH,
    "counseling": C.MENTAL_HEALTH,
    "mental health": C.MENTAL_HEALTH,
    "employment": C.EMPLOYMENT,
    "job training": C.EMPLOYMENT,
    "education": C.EDUCATION,
    "food": C.FOOD,
    "food pantry": C.FOOD,
    "clothing": C.CLOTHING,
    "clothes": C.CLOTHING,
    "childcare": C.CHILD_CARE,
    "child care": C.CHILD_CARE,
    "translation & interpretation": C.INTERPRETATION,
    "interpretation": C.INTERPRETATION,
    "case management": C.CASE_MANAGEMENT,
}

AIRS_PREFIXES: dict[str, str] = {
    "BH-1800": C.EMERGENCY_SHELTER,  # Emergency Shelter
    "BH-8600": C.TRANSITIONAL_HOUSING,  # Transitional Housing/Shelter
    "BH": C.TRANSITIONAL_HOUSING,  # Housing/Shelter
    "FT-3200": C.LEGAL_IMMIGRATION,  # Immigration/Naturalization Legal Services
    "FT": C.LEGAL_IMMIGRATION,  # Legal Services
    "LN": C.MEDICAL,  # Health Supportive Services / Outpatient Health Facilities
    "LV": C.MEDICAL,  # Medical Care
    "LH": C.MEDICAL,  # Health Screening/Diagnostic Services
    "RP": C.MENTAL_HEALTH,  # Mental Health Care Facilities
    "RF": C.MENTAL_HEALTH,  # Mental Health Assessment and Treatment
    "ND": C.EMPLOYMENT,  # Employment
    "H": C.EDUCATION,  # Education
    "BD": C.FOOD,  # Food
    "BM": C.CLOTHING,  # Material Goods (clothing)
    "PH-1250": C.CHILD_CARE,  # Child Care Provider Referrals
    "LR-8000": C.INTERPRETATION,  # Translation and Interpretation
    "PH-1000": C.CASE_MANAGEMENT,  # Case/Care Management
}


def _taxonomy_kind(term: dict[str, Any], taxonomy: dict[str, Any] | None) -> str:
    names = " ".join(
        str(value).lower()
        for value in (
            term.get("taxonomy"),
            (taxonomy or {}).get("name"),
            (taxonomy or {}).get("uri"),
            term.get("term_uri"),
        )
        if value
    )
    if str(term.get("taxonomy_id") or "") == str(PORTAL_TAXONOMY_ID) or PORTAL_TAXONOMY_NAME.lower() in names:
        return "portal"
    if "openeligibility" in names or "open eligibility" in names:
        return "open_eligibility"
    if AIRS_TAXONOMY.search(names):
        return "airs"
    return ""


def recognise(term: dict[str, Any], taxonomy: dict[str, Any] | None = None) -> str:
    """The need category of an HSDS taxonomy term (a row of ``taxonomy_terms``), or "" if unknown."""
    kind = _taxonomy_kind(term, taxonomy)
    code = str(term.get("code") or "").strip()
    name = str(term.get("name") or "").strip().lower()
    if kind == "portal":
        return code if code in C.values else ""
    if kind == "open_eligibility":
        return OPEN_ELIGIBILITY_NAMES.get(name, "")
    if kind == "airs":
        upper = code.upper()
        if not AIRS_CODE.match(upper):
            return ""
        for prefix in sorted(AIRS_PREFIXES, key=len, reverse=True):
            if _airs_matches(upper, prefix):
                return AIRS_PREFIXES[prefix]
    return ""


# The AIRS/211 taxonomy by its own names, not any taxonomy of a 211 (a 211's local flags are not AIRS codes).
AIRS_TAXONOMY = re.compile(r"\bairs\b|211\s*(la\s+county\s+)?(hsis|taxonomy)|211taxonomy\.org")
# "BD", "BH-1800", "BH-1800.8500", "LR-8000.0500-100": one or two letters, then 4-digit levels.
AIRS_CODE = re.compile(r"^[A-Z]{1,2}(-\d{4}(\.\d{3,4})*(-\d{3})?)?$")


def _airs_matches(code: str, prefix: str) -> bool:
    """AIRS codes nest: level 1 is a letter ("H"), level 2 two ("HD"), then "-1800", ".8500", ..."""
    if len(prefix) == 1:
        return code[:1] == prefix
    return code == prefix or code.startswith((f"{prefix}-", f"{prefix}."))
