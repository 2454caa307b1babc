"""Which statutes are trafficking statutes: the portal decides from the citation, never the person typing it.

Federal: 18 U.S.C. 1581-1597 (chapter 77, peonage, slavery and trafficking in persons; its one lettered section is
1593A), however written ("18 USC 1591", "18 U.S.C. § 1591(a)(1).", "Title 18, United States Code, Section 1593A",
"Title 18 U.S. Code § 1591"); a range or a list of sections ("1591-1594", "1590/1592", "§§ 1590, 1592") counts when
one of its sections is in chapter 77. State: the statutes the case's task force lists (``TraffickingStatute``),
matched on the same normal form, a subsection of a listed section included ("... 14:46.2(A)(1)" and "... 14:46.2 A"
under "... 14:46.2", never "... 14:46.21").
"""

import re

FEDERAL_TRAFFICKING_SECTIONS = range(1581, 1598)  # 18 U.S.C. 1581 to 1597, both included

_SECTION_WORDS = re.compile(r"§+|\bSECTIONS?\b\.?|\bSECS?\b\.?")
_DOT_AFTER_LETTER = re.compile(r"(?<=[A-Z])\.")
_SINGLE_LETTERS = re.compile(r"\b([A-Z]) (?=[A-Z]\b)")
_FEDERAL = re.compile(r"^(?:TITLE )?18 ?USCA? ?(?P<sections>\d.*)$")
# One section, its letter (only 1593A exists in chapter 77) and then no letter or digit: "1591B" and "15910" are not
# 1591. Subsections in parentheses are skipped; a section may be followed by "-" (a range) or "/" "&" "AND" (a list).
_SECTION = re.compile(r"(\d+)(A?)(?![A-Z0-9])")
_SUBSECTIONS = re.compile(r"\([^()]*\)")
_JOINER = re.compile(r"^\s*(-|/|&|AND\b|OR\b|TO\b|THROUGH\b|THRU\b)?\s*")
_RANGE = ("-", "TO", "THROUGH", "THRU")
# "14:46.2 A" is "14:46.2(A)": a subsection letter (or number) after a space, at the end or before a parenthesis.
_SPACED_SUBSECTION = re.compile(r"^ [A-Z0-9]{1,2}(?=$|\(| )")


def citation_key(citation: str) -> str:
    """The normal form of a citation that matching compares: capitals, no section sign or word, no dots after
    letters ("U.S.C." is "USC"; "14:46.2" keeps its dot), single spaces, none around parentheses."""
    text = citation.upper().replace("UNITED STATES CODE", "USC").replace("\u2013", "-").replace("\u2014", "-")
    text = _SECTION_WORDS.sub(" ", text)
    text = _DOT_AFTER_LETTER.sub("", text)
    text = re.sub(r"[,;]", " ", text)
    text = " ".join(text.split())
    text = _SINGLE_LETTERS.sub(r"\1", text)  # "U S C" -> "USC"
    text = re.sub(r"\bUS CODE\b", "USC", text)  # "U.S. Code"
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*\)", ")", text)
    return text.strip()


def _federal_sections(key: str) -> list[tuple[int, int]]:
    """The sections of title 18 that ``key`` cites, each as a range (first, last): one section is (n, n); "1591A"
    (a letter other than 1593A's) is no section of chapter 77 and gives (0, 0)."""
    found = _FEDERAL.match(key)
    if found is None:
        return []
    rest = _SUBSECTIONS.sub("", found.group("sections"))
    sections: list[tuple[int, int]] = []
    joiner = ""
    while (section := _SECTION.match(rest)) is not None:
        number = int(section.group(1))
        if section.group(2) and number != 1593:
            number = 0
        if joiner in _RANGE and sections:
            sections[-1] = (sections[-1][0], number)
        else:
            sections.append((number, number))
        rest = rest[section.end() :]
        joint = _JOINER.match(rest)
        joiner = (joint.group(1) or "") if joint else ""
        rest = rest[joint.end() :] if joint else rest
    return sections


def is_federal_trafficking(key: str) -> bool:
    """Whether ``key`` (a ``citation_key``) cites a section of 18 U.S.C. 1581-1597, or a range or list of sections
    one of which is."""
    first, last = FEDERAL_TRAFFICKING_SECTIONS.start, FEDERAL_TRAFFICKING_SECTIONS.stop - 1
    return any(low <= last and high >= first and low > 0 for low, high in _federal_sections(key))


def falls_under(key: str, listed: str) -> bool:
    """Whether ``key`` cites the listed statute ``listed`` (both ``citation_key``\\s) or one of its subsections."""
    if not listed or not key.startswith(listed):
        return False
    rest = key[len(listed) :]
    return rest == "" or rest.startswith("(") or _SPACED_SUBSECTION.match(rest) is not None


def is_trafficking(key: str, listed: list[str] | tuple[str, ...] | set[str]) -> bool:
    """Whether a charge under ``key`` is a trafficking charge: a federal trafficking section, or a statute the task
    force lists (``listed``: their keys)."""
    return is_federal_trafficking(key) or any(falls_under(key, statute) for statute in listed)
