"""Language codes: HSDS files use ISO 639-1 ("es") or 639-2/3 ("spa"); the portal compares two-letter codes."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

# The languages most often needed by trafficking survivors in U.S. task forces, first; searchable by these.
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
    "ne": _("Nepali"),
    "pl": _("Polish"),
    "ro": _("Romanian"),
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
    "nep": "ne",
    "pol": "pl",
    "ron": "ro",
    "rum": "ro",
    "ase": "asl",
}


def normalise(code: str) -> str:
    """ "SPA", "es-MX", "spa" -> "es"; an unknown code is returned lower-cased."""
    code = (code or "").strip().lower().replace("_", "-")
    base = code.split("-")[0]
    return THREE_LETTER.get(base, base)


def language_name(code: str) -> str:
    return str(LANGUAGES.get(normalise(code), code))


def choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in LANGUAGES.items()]
