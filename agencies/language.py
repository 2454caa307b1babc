"""The language of the portal's pages, per person: the header's switcher and the middleware that applies it.

Before sign-in the language comes from Django's language cookie or the browser (``LocaleMiddleware``). A signed-in
person's own choice (``User.preferred_language``, which their e-mails follow too) wins over both, on every request
and on every device. The choice is also written into the cookie, so that the sign-in page after signing out stays in
it. Changing one's own language is not audited: it discloses nothing and grants nothing.

The middleware lives here, not in ``portal``, because it reads the user model; settings name it by dotted path.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
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
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


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
