"""Settings for the portal, read from the environment (README.md lists every variable).

Production is the default: with ``DJANGO_DEBUG`` unset the portal refuses to start without a secret key and a
host list, sends HSTS, redirects to HTTPS and marks cookies secure. ``make demo`` sets ``DJANGO_DEBUG=true``.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_int, env_list, env_private_storage, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set when DJANGO_DEBUG is off. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "django-insecure-demo-only-key-never-use-in-production-0123456789abcdefghij"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the portal's host names when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The portal comes first so that its templates override allauth's and Django's form templates.
    "portal",
    # Domain apps, each before the apps that depend on it (seed_demo runs their demo.py in this order).
    "agencies",
    "services_directory",
    "cases",
    "referrals",
    "tips",
    "deconfliction",
    "protection",
    "prosecution",
    "reports",
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram search on PostgreSQL; inert on SQLite
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "guardian",
    "auditlog",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
]

MIDDLEWARE = [
    "portal.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After sign-in is known: a signed-in person's chosen language wins over the cookie and the browser's.
    "agencies.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view runs (and before LoginRequiredMiddleware's check): end sessions past their limits.
    "portal.middleware.SessionLimitsMiddleware",
    # Before anything reads a request's body (CSRF's check does): an upload over its limit is refused unread.
    "portal.uploads.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.SessionActivityMiddleware",  # allauth usersessions' activity, at most once a minute
    "portal.middleware.MFARequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes must be last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]
FORM_RENDERER = "portal.forms.USWDSFormRenderer"
# Each domain app's entries in the header and on the home page (portal/navigation.py), in this order.
PORTAL_NAVIGATION = [
    "cases.navigation.items",
    "referrals.navigation.items",
    "tips.navigation.items",
    "deconfliction.navigation.items",
    "protection.navigation.items",
    "prosecution.navigation.items",
    "reports.navigation.items",
    "services_directory.navigation.items",
    "agencies.navigation.items",
]
# What is waiting for a person, on the home page (portal.workqueue): each app's sections, in this order.
PORTAL_WORK_QUEUE = [
    "cases.workqueue.sections",
    "referrals.workqueue.sections",
    "tips.workqueue.sections",
    "protection.workqueue.sections",
    "agencies.workqueue.sections",
]
# What the apps above cases add to the case page and packet (cases/sections.py), in this order.
CASE_SECTIONS: list[str] = [
    "protection.sections.relief_section",
    "prosecution.sections.prosecution_section",
]
# Where the directory's "Refer someone" leads (services_directory/templatetags/directory_links.py): the directory
# sits below the referrals and does not import them.
DIRECTORY_REFER_SOMEONE = "referrals.links.refer_someone_url"

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the web server and the task worker side by side on one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the dashboard's counts carry visibility subqueries whose estimated cost passes
    # jit_above_cost, and compiling them took 1.2 s of a 1.3 s query that runs in 0.1 s without it (bench/README.md,
    # the dashboard at L). The portal's queries are short; none gains from JIT.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(None, [DATABASES["default"]["OPTIONS"].get("options", ""), "-c jit=off"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared between processes, because allauth remembers used TOTP codes in it -------------------------
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
    )
}

# --- Background tasks ------------------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /readyz (portal.views.readyz): 503 once a due task has waited longer than this (no worker takes them); a task
# running longer than the other is reported as stale (a worker killed mid-task leaves it "running" for ever).
PORTAL_TASKS_DUE_MAX_WAIT = timedelta(minutes=env_int("PORTAL_TASKS_DUE_MAX_WAIT_MINUTES", 10))
PORTAL_TASKS_RUNNING_STALE_AFTER = timedelta(minutes=env_int("PORTAL_TASKS_RUNNING_STALE_MINUTES", 15))

# --- Accounts, sign-in and MFA ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: a locked account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "agencies.auth.AuthenticationBackend",  # allauth's, loading the membership with the person
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "agencies.auth.AccountAdapter"
ACCOUNT_FORMS = {"login": "agencies.forms.LoginForm", "change_password": "agencies.forms.ChangePasswordForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # the invitation link proved the address
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[HT Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Axes does the locking (5 failures, passwords and codes alike). allauth's own limits per address and per account
# stay as a second brake, set above the lock so that the person is told their account is locked.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,10/5m/key"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # password-reset mail goes only to existing accounts

MFA_ADAPTER = "agencies.auth.MFAAdapter"
MFA_FORMS = {
    "authenticate": "agencies.forms.MFAAuthenticateForm",
    "reauthenticate": "agencies.forms.MFAReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("PORTAL_MFA_ISSUER", "HT Portal")
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = False  # portal.middleware.SessionActivityMiddleware does it, once a minute

# Lockout: 5 failures within 15 minutes lock the account until an agency admin unlocks it (agencies/lockout.py).
AXES_FAILURE_LIMIT = 5
PORTAL_LOCKOUT_WINDOW = timedelta(minutes=15)
AXES_COOLOFF_TIME = None
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "agencies.lockout.username_from_credentials"
AXES_HANDLER = "agencies.lockout.WindowedDatabaseHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agencies.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # accounts are unlocked on the People page (audited), not by deleting rows
# One client address failing across accounts (docs/decisions/0013): (failures, within) pairs; while any holds,
# sign-in from that address is refused before the password is checked, without counting against any account.
PORTAL_SIGN_IN_ADDRESS_LIMITS = [
    (env_int("PORTAL_SIGN_IN_ADDRESS_FAILURES", 10), timedelta(minutes=15)),
    (2 * env_int("PORTAL_SIGN_IN_ADDRESS_FAILURES", 10), timedelta(hours=1)),
    (4 * env_int("PORTAL_SIGN_IN_ADDRESS_FAILURES", 10), timedelta(hours=24)),
]

# Sessions: 30 minutes idle, 12 hours in all (portal/middleware.py), ended on the server at sign-out.
# Django's database store, but a database outage while saving the session is a 503, not "session deleted" (400).
SESSION_ENGINE = "portal.sessions"
PORTAL_SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("PORTAL_SESSION_IDLE_MINUTES", 30))
PORTAL_SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("PORTAL_SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(PORTAL_SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# The session is saved when it changes: SessionLimitsMiddleware renews its stamp once a minute, not on every request.
PORTAL_SESSION_ACTIVITY_INTERVAL = timedelta(seconds=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

PORTAL_INVITATION_VALID_FOR = timedelta(hours=env_int("PORTAL_INVITATION_VALID_HOURS", 72))
# The one-time link to enrol a new authenticator after an administrator's reset (docs/decisions/0006).
PORTAL_MFA_ENROLMENT_LINK_VALID_FOR = timedelta(hours=env_int("PORTAL_MFA_ENROLMENT_LINK_VALID_HOURS", 24))
# VAWA asks for "reasonably time-limited" consent to release a victim's information.
PORTAL_CONSENT_MAX_DAYS = env_int("PORTAL_CONSENT_MAX_DAYS", 365)
# A service's capacity that nobody confirmed for this long is shown as stale and ranks below fresh reports.
PORTAL_CAPACITY_STALE_AFTER = timedelta(days=env_int("PORTAL_CAPACITY_STALE_DAYS", 7))
# How long a referral's recipient has to answer, by urgency (docs/architecture.md §5); past it, the referral expires.
PORTAL_REFERRAL_RESPONSE_HOURS = {
    "emergency": env_int("PORTAL_REFERRAL_EMERGENCY_HOURS", 4),
    "urgent": env_int("PORTAL_REFERRAL_URGENT_HOURS", 24),
    "routine": env_int("PORTAL_REFERRAL_ROUTINE_HOURS", 72),
}
# How long the receiving agency has to assess a tip (docs/decisions/0026): a minor or imminent danger is urgent; an
# airline report is due this many minutes before the flight lands when that is sooner.
PORTAL_TIP_ASSESS_HOURS = {
    "urgent": env_int("PORTAL_TIP_URGENT_HOURS", 1),
    "routine": env_int("PORTAL_TIP_ROUTINE_HOURS", 24),
}
PORTAL_TIP_FLIGHT_MARGIN = timedelta(minutes=env_int("PORTAL_TIP_FLIGHT_MARGIN_MINUTES", 45))
# The tips API (docs/decisions/0027): so many tips per token in a window, and so many refused calls (a wrong or
# revoked key, a key of another scope) per client address, before it answers 429 until the window ends.
PORTAL_TIPS_API_RATE = (env_int("PORTAL_TIPS_API_PER_MINUTE", 60), timedelta(minutes=1))
PORTAL_TIPS_API_REFUSED_RATE = (env_int("PORTAL_TIPS_API_REFUSED_PER_MINUTE", 20), timedelta(minutes=1))
# The portal's address, for links in e-mail (no request there to build it from).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security headers ------------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Behind N trusted proxies (load balancers) the client's address comes from X-Forwarded-For and the scheme from
# X-Forwarded-Proto; with 0 both headers are ignored. portal.middleware.ClientAddressMiddleware applies it for all.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
if env_str("DJANGO_BEHIND_PROXY"):
    raise ImproperlyConfigured("DJANGO_BEHIND_PROXY is gone: set PORTAL_TRUSTED_PROXY_COUNT to the number of proxies.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PORTAL_TRUSTED_PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
ALLAUTH_TRUSTED_PROXY_COUNT = 0  # REMOTE_ADDR is already the client's address
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- E-mail ----------------------------------------------------------------------------------------------------
# Django 6.1 mailers. DJANGO_EMAIL_BACKEND: "smtp" (default in production), "console" (default with debug on).
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env_str("DJANGO_EMAIL_BACKEND", "console" if DEBUG else "smtp")
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"DJANGO_EMAIL_BACKEND={_email_backend!r}: use one of {', '.join(_EMAIL_BACKENDS)}.")
_mailer: dict[str, Any] = {"BACKEND": _EMAIL_BACKENDS[_email_backend]}
if _email_backend == "smtp":
    _mailer["OPTIONS"] = {
        "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
        "port": env_int("DJANGO_EMAIL_PORT", 587),
        "username": env_str("DJANGO_EMAIL_HOST_USER"),
        "password": env_secret("DJANGO_EMAIL_HOST_PASSWORD") or "",
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=True),
        "timeout": env_int("DJANGO_EMAIL_TIMEOUT", 20),
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "HT Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages, time and static files --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# The language chosen before sign-in (and a signed-in person's, kept for after they sign out): a year, then the
# browser's again.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("PORTAL_TIME_ZONE", "America/Chicago")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (case documents, packets) live outside anything a web server serves; they are read only through
# permission-checked views. A folder on this machine by default; with PORTAL_PRIVATE_STORAGE_URL=s3://bucket/prefix
# an S3-compatible object store that every instance shares (portal/env.py, portal/storage.py, docs/deployment.md).
PRIVATE_MEDIA_ROOT = Path(env_str("PORTAL_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": env_private_storage(PRIVATE_MEDIA_ROOT),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Uploads (portal/uploads.py) ------------------------------------------------------------------------------
# Each URL that takes a file: (its limit in bytes, or the dotted path of the constant its view checks; the URL name
# of its form, taking the same arguments, or None for the URL itself). A request over the limit plus the margin
# (the form's other fields) is refused before its body is read; the file's bytes are counted as they stream in.
PORTAL_UPLOAD_LIMITS: dict[str, tuple[int | str, str | None]] = {
    "document_upload": ("cases.services.MAX_DOCUMENT_BYTES", "case_detail"),
    "tip_attachment_upload": ("tips.services.MAX_ATTACHMENT_BYTES", "tip_detail"),
    "relief_new": ("portal.uploads.MAX_DOCUMENT_BYTES", None),
    "relief_action": ("portal.uploads.MAX_DOCUMENT_BYTES", None),
    "admin:services_directory_hsds_import": ("services_directory.admin.MAX_UPLOAD_BYTES", None),
}
PORTAL_UPLOAD_FORM_MARGIN = 64 * 1024
# Everything but files in one request (form fields, a JSON body): 1 MiB. The longest text a form takes (a case's
# summary, a note) has no max_length, and 1 MiB of it is some 400 pages; a larger body is refused (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# An uploaded file up to 2.5 MiB stays in memory, a larger one streams to a temporary file deleted at the end of
# the request (or as soon as the upload is cut off): a few uploads at once never hold 20 MB each in a worker.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# No form takes more than one file (Django allows 100 in one request).
DATA_UPLOAD_MAX_NUMBER_FILES = 10

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each typesetting step at INFO; its warnings (a refused fetch, an unknown CSS rule) stay.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Field history of domain models: every model listed here, and only those, is tracked by django-auditlog.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "agencies.User", "exclude_fields": ["password", "last_login"]},
    "agencies.Agency",
    "agencies.TaskForce",
    "agencies.TaskForceMember",
    "agencies.Membership",
    {"model": "agencies.Invitation", "exclude_fields": ["token_hash"]},
    # Case records without personal information or LE-sensitive text (their history would be a second copy).
    {"model": "cases.Case", "exclude_fields": ["le_narrative"]},
    "cases.CaseShare",
    "cases.Consent",
    # The service directory: what providers and administrators change in the portal (imports are one AuditEvent).
    "services_directory.Organization",
    "services_directory.Service",
    "services_directory.Location",
    "services_directory.Address",
    "services_directory.Schedule",
    "services_directory.Language",
    "services_directory.Phone",
    "services_directory.TaxonomyTerm",
    "services_directory.Attribute",  # what a service offers (its categories)
    "services_directory.HsdsRecord",  # required documents, among others
    {"model": "services_directory.ApiToken", "exclude_fields": ["key_hash"]},
)

# axes.W006 asks for IP-based lockout too; we lock the account, not the network (docs/decisions/0003).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
