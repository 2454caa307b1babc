"""The languages a person speaks and a service offers, as ISO 639 codes with their names in the reader's language.

They live here because ``cases`` (a person's languages) and ``services_directory`` (a service's) may not import each
other (docs/architecture.md §3), and a person is matched to a service by these codes. Two-letter ISO 639-1 codes
where the language has one, else the ISO 639-3 code (Mam, K'iche' and Q'anjob'al, spoken by many survivors from
Guatemala, have no two-letter code); ``asl`` is the directory's code for American Sign Language (ISO 639-3 ``ase``).
"""

import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

# The languages most often needed by trafficking survivors in U.S. task forces.
LANGUAGES: dict[str, StrOrPromise] = {
    "en": _("English"),
    "es": _("Spanish"),
    "pt": _("Portuguese"),
    "fr": _("French"),
    "ht": _("Haitian Creole"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "ko": _("Korean"),
    "tl": _("Tagalog"),
    "th": _("Thai"),
    "ru": _("Russian"),
    "uk": _("Ukrainian"),
    "ar": _("Arabic"),
    "hi": _("Hindi"),
    "ur": _("Urdu"),
    "sw": _("Swahili"),
    "am": _("Amharic"),
    "yo": _("Yoruba"),
    "ne": _("Nepali"),
    "pl": _("Polish"),
    "ro": _("Romanian"),
    "mam": _("Mam"),
    "quc": _("K'iche'"),
    "kjb": _("Q'anjob'al"),
    "asl": _("American Sign Language"),
}

THREE_LETTER: dict[str, str] = {
    "eng": "en",
    "spa": "es",
    "por": "pt",
    "fra": "fr",
    "fre": "fr",
    "hat": "ht",
    "zho": "zh",
    "chi": "zh",
    "cmn": "zh",
    "yue": "zh",
    "vie": "vi",
    "kor": "ko",
    "tgl": "tl",
    "fil": "tl",
    "tha": "th",
    "rus": "ru",
    "ukr": "uk",
    "ara": "ar",
    "hin": "hi",
    "urd": "ur",
    "swa": "sw",
    "amh": "am",
    "yor": "yo",
    "nep": "ne",
    "pol": "pl",
    "ron": "ro",
    "rum": "ro",
    "ase": "asl",
}

# Names people type for a language (English, Spanish and the language's own name, without accents, lower case):
# what ``codes_in_text`` recognises in a language written out by hand.
NAMES: dict[str, str] = {
    "english": "en",
    "ingles": "en",
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
    "portuguese": "pt",
    "portugues": "pt",
    "french": "fr",
    "frances": "fr",
    "francais": "fr",
    "haitian creole": "ht",
    "creole": "ht",
    "kreyol": "ht",
    "creole haitiano": "ht",
    "criollo haitiano": "ht",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "chino": "zh",
    "vietnamese": "vi",
    "vietnamita": "vi",
    "tieng viet": "vi",
    "korean": "ko",
    "coreano": "ko",
    "tagalog": "tl",
    "filipino": "tl",
    "thai": "th",
    "tailandes": "th",
    "russian": "ru",
    "ruso": "ru",
    "ukrainian": "uk",
    "ucraniano": "uk",
    "arabic": "ar",
    "arabe": "ar",
    "hindi": "hi",
    "urdu": "ur",
    "swahili": "sw",
    "suajili": "sw",
    "amharic": "am",
    "amharico": "am",
    "yoruba": "yo",
    "nepali": "ne",
    "polish": "pl",
    "polaco": "pl",
    "romanian": "ro",
    "rumano": "ro",
    "mam": "mam",
    "k'iche'": "quc",
    "kiche": "quc",
    "quiche": "quc",
    "q'anjob'al": "kjb",
    "qanjobal": "kjb",
    "kanjobal": "kjb",
    "american sign language": "asl",
    "asl": "asl",
    "sign language": "asl",
    "lengua de senas": "asl",
}


def normalise(code: str) -> str:
    """ "SPA", "es-MX", "spa" -> "es"; an unknown code is returned lower-cased."""
    code = (code or "").strip().lower().replace("_", "-")
    base = code.split("-")[0]
    return THREE_LETTER.get(base, base)


def language_name(code: str) -> str:
    """The language's name in the reader's language (the active translation); an unknown code as it is."""
    return str(LANGUAGES.get(normalise(code), code))


def choices() -> list[tuple[str, str]]:
    """Every language, named in the reader's language, the most often needed first."""
    return [(code, str(name)) for code, name in LANGUAGES.items()]


def is_known(code: str) -> bool:
    return code in LANGUAGES


def code_for(text: str) -> str | None:
    """The code of one language written as a code ("es", "spa", "es-MX") or a name ("Spanish", "Español"); None
    when it is neither."""
    folded = _folded(text)
    if not folded:
        return None
    code = normalise(folded)
    if code in LANGUAGES:
        return code
    return NAMES.get(folded)


def codes_in_text(text: str) -> tuple[list[str], list[str]]:
    """The languages in a list written by hand ("Spanish, English", "es/en", "Mam y español"): the codes
    recognised, in order and once each, and the parts that were not recognised, as written."""
    parts = [part.strip() for part in _split(text) if part.strip()]
    codes: list[str] = []
    unknown: list[str] = []
    for part in parts:
        code = code_for(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _split(text: str) -> list[str]:
    for separator in (";", "/", "|", " and ", " y ", " & ", "+", "\n"):
        text = text.replace(separator, ",")
    return text.split(",")


def _folded(text: str) -> str:
    """Lower case, without accents or extra spaces: "  Español " -> "espanol"."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())
