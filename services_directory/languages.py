"""Language codes: HSDS files use ISO 639-1 ("es") or 639-2/3 ("spa"); the portal compares two-letter codes. The
list and its reading are ``portal.languages``, shared with the people of cases, so that a person's languages and a
service's are the same codes."""

from portal.languages import LANGUAGES, THREE_LETTER, StrOrPromise, choices, language_name, normalise

__all__ = ["LANGUAGES", "THREE_LETTER", "StrOrPromise", "choices", "language_name", "normalise"]
