"""The language of the portal's pages, per person: the header's switcher and the middleware that applies it.

Before sign-in the language comes from Django's language cookie or the browser (``LocaleMiddleware``). A signed-in
person's own choice (``User.preferred_language``, which their e-mails follow too) wins over both, on every request
and on every device. The choice is also written into the cookie, so that the sign-in page after signing out stays in
it; from the moment of sign-in (the signal's receiver) the rest of that request is in it too. Changing one's own
language is not audited: it discloses nothing and grants nothing.

The middleware lives here, not in ``portal``, because it reads the user model; settings name it by dotted path.
"""

from collections.abc import Callable
from typing import Any, Literal, cast

from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.decorators import login_not_required
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencies.models import User

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def _supported(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def set_preferred_language(user: User, language: str) -> None:
    """Remember a person's language for their pages and e-mails."""
    if not _supported(language):
        raise ValueError(f"Unsupported language: {language!r}")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@login_not_required
@require_POST
def switch_language(request: HttpRequest) -> HttpResponseRedirect:
    """The header's switcher: the chosen language for this browser and, once signed in, for the person; then back
    to the page it was chosen on (only a page of this site)."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if _supported(language):
        if request.user.is_authenticated:
            assert isinstance(request.user, User)
            set_preferred_language(request.user, language)
        _set_cookie(response, language)
    return response


def _set_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"] | None, settings.LANGUAGE_COOKIE_SAMESITE),
    )


@receiver(auth_signals.user_logged_in, dispatch_uid="agencies_language_at_sign_in")
def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """From the moment of sign-in: what the rest of that request says (allauth's "signed in" message, the page it
    redirects to) is already in the person's language, not in the one the sign-in page was in."""
    if request is not None and _supported(user.preferred_language):
        translation.activate(user.preferred_language)
        request.LANGUAGE_CODE = user.preferred_language


class UserLanguageMiddleware:
    """After ``AuthenticationMiddleware``: a signed-in person's chosen language for the rest of the request (views,
    error pages, ``Content-Language``), kept in the cookie for the pages after they sign out."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        language = user.preferred_language if isinstance(user, User) and user.is_authenticated else ""
        if not _supported(language):
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language and not _sets_cookie(response):
            _set_cookie(response, language)
        return response


def _sets_cookie(response: HttpResponseBase) -> bool:
    return settings.LANGUAGE_COOKIE_NAME in response.cookies
