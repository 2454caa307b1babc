"""Which statutes are trafficking statutes: the portal decides from the citation, never the person typing it.

Federal: 18 U.S.C. 1581-1597 (chapter 77, peonage, slavery and trafficking in persons), however written ("18 USC
1591", "18 U.S.C. § 1591(a)(1)", "Title 18, United States Code, Section 1593A"). State: the statutes the case's task
force lists (``TraffickingStatute``), matched on the same normal form, a subsection of a listed section included
("... 14:46.2(A)(1)" under "... 14:46.2").
"""

import re

FEDERAL_TRAFFICKING_SECTIONS = range(1581, 1598)  # 18 U.S.C. 1581 to 1597, both included

_SECTION_WORDS = re.compile(r"§+|\bSECTIONS?\b\.?|\bSECS?\b\.?")
_DOT_AFTER_LETTER = re.compile(r"(?<=[A-Z])\.")
_SINGLE_LETTERS = re.compile(r"\b([A-Z]) (?=[A-Z]\b)")
_FEDERAL = re.compile(r"^(?:TITLE )?18 ?USCA? ?(\d+)[A-Z]?(?:\(|$| )")


def citation_key(citation: str) -> str:
    """The normal form of a citation that matching compares: capitals, no section sign or word, no dots after
    letters ("U.S.C." is "USC"; "14:46.2" keeps its dot), single spaces, none around parentheses."""
    text = citation.upper().replace("UNITED STATES CODE", "USC")
    text = _SECTION_WORDS.sub(" ", text)
    text = _DOT_AFTER_LETTER.sub("", text)
    text = re.sub(r"[,;]", " ", text)
    text = " ".join(text.split())
    text = _SINGLE_LETTERS.sub(r"\1", text)  # "U S C" -> "USC"
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*\)", ")", text)
    return text.strip()


def is_federal_trafficking(key: str) -> bool:
    """Whether ``key`` (a ``citation_key``) cites a section of 18 U.S.C. 1581-1597."""
    found = _FEDERAL.match(key)
    return found is not None and int(found.group(1)) in FEDERAL_TRAFFICKING_SECTIONS


def falls_under(key: str, listed: str) -> bool:
    """Whether ``key`` cites the listed statute ``listed`` (both ``citation_key``\\s) or one of its subsections."""
    return bool(listed) and (key == listed or key.startswith(f"{listed}("))


def is_trafficking(key: str, listed: list[str] | tuple[str, ...] | set[str]) -> bool:
    """Whether a charge under ``key`` is a trafficking charge: a federal trafficking section, or a statute the task
    force lists (``listed``: their keys)."""
    return is_federal_trafficking(key) or any(falls_under(key, statute) for statute in listed)
