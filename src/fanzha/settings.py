"""All settings, read from the environment in one place.

Every setting a deployment may change is listed in docs/configuration.md (a test checks it).
Local use needs nothing: secrets are generated once into ``var/``. Production
(``FANZHA_ENV=production``) refuses to start while a setting is unsafe and says which.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from fanzha.core.pii.crypto import generate_key, key_problem

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("FANZHA_PROJECT_DIR", BASE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("FANZHA_VAR_DIR", PROJECT_DIR / "var")).resolve()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret(name: str, filename: str, factory: object, *, keep_data: Path | None = None) -> str:
    """The environment's value, else one generated once into var/ for local use.

    The file must be readable by its owner only. ``keep_data`` names a database file the secret
    protects: while it holds data, a missing secret file is an error, not a reason to make a new one.
    """
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        return ""
    path = VAR_DIR / filename
    if path.exists():
        return _read_secret_file(name, path)
    if keep_data is not None and keep_data.is_file() and keep_data.stat().st_size > 0:
        raise ImproperlyConfigured(
            f"{path} is missing but the database {keep_data} exists: a new {name} could not read its "
            f"personal data. Put the key file back (or set {name}), or move the database away first."
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    generated = str(factory())  # type: ignore[operator]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(generated)
    return generated


def _read_secret_file(name: str, path: Path) -> str:
    try:
        mode = path.stat().st_mode
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"{name}: cannot read {path} ({type(exc).__name__})") from exc
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"{name}: {path} is readable by other users (mode {mode & 0o777:o}); run: chmod 600 {path}"
        )
    return value


# ── mode ──────────────────────────────────────────────────────────────────────
# Under pytest the default is "test" (fast password hashing); `make test` also sets it explicitly.
FANZHA_ENV = env_str("FANZHA_ENV", "test" if "pytest" in sys.modules else "local")
if FANZHA_ENV not in {"local", "production", "test"}:
    raise ImproperlyConfigured(f"FANZHA_ENV must be local, test or production, not {FANZHA_ENV!r}")
PRODUCTION = FANZHA_ENV == "production"
DEBUG = env_bool("FANZHA_DEBUG", not PRODUCTION)

SECRET_KEY = local_secret("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
# Keys replaced by SECRET_KEY, comma-separated: what they signed (sessions, password-reset links, the edit
# forms' tokens) is still read while they are listed, so a rotation logs nobody out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
PII_CIPHER = env_str("FANZHA_PII_CIPHER", "aes-gcm")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# ── database ──────────────────────────────────────────────────────────────────
DEFAULT_SQLITE = VAR_DIR / "fanzha.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}")


def parse_database_url(url: str) -> dict[str, Any]:
    """The database settings of ``url``; a malformed one is refused by name (never echoing a password)."""
    try:
        parsed = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:  # dj_database_url.UnknownSchemeError among them
        scheme = url.split("://", 1)[0] if "://" in url else ""
        raise ImproperlyConfigured(
            f"DATABASE_URL must look like postgres://user:password@host:5432/name or sqlite:///path, "
            f"not a URL of scheme {scheme!r}"
        ) from exc
    if not parsed.get("ENGINE") or not parsed.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (postgres://…/name or sqlite:///path)")
    return parsed


DATABASES = {"default": parse_database_url(DATABASE_URL)}
_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if _SQLITE:
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # 16 KiB pages for a new database file (an existing one keeps its own; set before WAL fixes it): a
    # 100,000-row warning list writes and commits a fifth faster than with the 4 KiB default
    # (docs/warnings.md §7).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The key for personal data: the encrypted values in the database need the key they were written with.
# A key file missing beside a SQLite database is refused here; a key (on any database) that does not read
# the personal data already stored is refused by the system check fanzha.core.E001 (migrate, run, worker).
PII_KEY = local_secret(
    "FANZHA_PII_KEY",
    "pii_key",
    generate_key,
    keep_data=Path(DATABASES["default"]["NAME"]) if _SQLITE else None,
)
if PII_KEY and key_problem(PII_KEY):
    raise ImproperlyConfigured(key_problem(PII_KEY))

# ── applications ──────────────────────────────────────────────────────────────
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API documentation's Swagger UI from local static files, not a CDN
    "axes",
    "fanzha.core",
    "fanzha.audit",
    "fanzha.imports",
    "fanzha.jobs",
    "fanzha.screen",
    "fanzha.warnings",
    "fanzha.numbers",
    "fanzha.cases",
]

MIDDLEWARE = [
    "fanzha.core.middleware.RequestIdMiddleware",
    "fanzha.core.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fanzha.core.middleware.NulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fanzha.core.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fanzha.core.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so its process_exception sees a view's exception first: a database conflict answers 503.
    "fanzha.core.middleware.DatabaseConflictMiddleware",
]

ROOT_URLCONF = "fanzha.urls"
WSGI_APPLICATION = "fanzha.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanzha.core.context_processors.navigation",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# ── language and time ─────────────────────────────────────────────────────────
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# ── static files (vendored from npm at build time, served locally) ───────────
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it in production
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# ── account security (等保 2.0 profile by default) ───────────────────────────
AXES_FAILURE_LIMIT = env_int("FANZHA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# Many users can share one address (NAT, a proxy without FANZHA_BEHIND_PROXY): it locks much later.
LOGIN_IP_FAILURE_LIMIT = env_int("FANZHA_LOGIN_IP_FAILURE_LIMIT", 30, minimum=1)
AXES_HANDLER = "fanzha.core.security.FanzhaAxesHandler"
AXES_COOLOFF_TIME = env_int("FANZHA_LOGIN_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
# Two separate counters (axes 8): one per username (from any address), one per client address
# (for any username). [["username", "ip_address"]] would instead count each pair.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# A lock lasts the cool-off from the failure that caused it; refused attempts do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "fanzha.core.middleware.client_ip"  # same address as the audit log
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "old_password", "password2"]
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_LOCKOUT_CALLABLE = "fanzha.core.security.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SESSION_IDLE_TIMEOUT = env_int("FANZHA_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("FANZHA_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PASSWORD_POLICY = env_str("FANZHA_PASSWORD_POLICY", "mlps2")
PASSWORD_MIN_LENGTH = env_int("FANZHA_PASSWORD_MIN_LENGTH", 8, minimum=6)
PASSWORD_MAX_AGE_DAYS = env_int("FANZHA_PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PASSWORD_POLICY not in {"mlps2", "basic"}:
    raise ImproperlyConfigured(f"FANZHA_PASSWORD_POLICY must be mlps2 or basic, not {PASSWORD_POLICY!r}")
if PASSWORD_POLICY == "mlps2":  # noqa: S105 - a policy name, not a password
    AUTH_PASSWORD_VALIDATORS.append({"NAME": "fanzha.core.passwords.CharacterClassValidator"})
if FANZHA_ENV == "test":
    # Tests create many users; the production hashers are deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TOTP_ISSUER = env_str("FANZHA_TOTP_ISSUER", "fanzha")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("FANZHA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("FANZHA_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("FANZHA_BEHIND_PROXY", False) else None
)
SECURE_HSTS_SECONDS = env_int("FANZHA_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = False
# Intranet host names cannot join the browsers' public HSTS preload list, so its deploy check is moot.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# ── audit, retention, imports, jobs ──────────────────────────────────────────
AUDIT_RETENTION_DAYS = env_int("FANZHA_AUDIT_RETENTION_DAYS", 365, minimum=180)
IMPORT_MAX_BYTES = env_int("FANZHA_IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("FANZHA_IMPORT_MAX_ROWS", 1_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django's default of 1,000 form fields refused a form post to POST /api/screen of its 1,000 items plus
# `kind`, and answered 1,001 items with "too many fields" instead of the API's own 422 too_many_items.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
NOTIFICATION_GATEWAY = env_str("FANZHA_NOTIFICATION_GATEWAY", "fanzha.jobs.gateways.OutboxGateway")
WORKER_POLL_SECONDS = env_int("FANZHA_WORKER_POLL_SECONDS", 2, minimum=1)
WORKER_STALE_SECONDS = env_int("FANZHA_WORKER_STALE_SECONDS", 300, minimum=30)
RETENTION_JOBS_DAYS = env_int("FANZHA_RETENTION_JOBS_DAYS", 180, minimum=1)
RETENTION_NOTIFICATIONS_DAYS = env_int("FANZHA_RETENTION_NOTIFICATIONS_DAYS", 365, minimum=1)
RETENTION_OUTBOX_DAYS = env_int("FANZHA_RETENTION_OUTBOX_DAYS", 180, minimum=1)
RETENTION_IMPORTS_DAYS = env_int("FANZHA_RETENTION_IMPORTS_DAYS", 365, minimum=1)
# People (key residents) whose record nobody has touched for this long are deleted (PIPL art. 19).
RETENTION_PEOPLE_DAYS = env_int("FANZHA_RETENTION_PEOPLE_DAYS", 1825, minimum=365)

# ── screening: POST /api/screen requests per minute for each logged-in user (keys carry their own) ──
SCREEN_USER_RATE_PER_MINUTE = env_int("FANZHA_SCREEN_USER_RATE_PER_MINUTE", 30, minimum=1)

# ── warnings (预警): merging, SLA clocks, routing; see docs/warnings.md ──────
WARNING_MERGE_HOURS = env_int("FANZHA_WARNING_MERGE_HOURS", 72, minimum=0)
# grade=minutes to acknowledge/minutes to complete contact, separated by semicolons.
WARNING_SLA = env_str("FANZHA_WARNING_SLA", "urgent=5/30;high=30/240;medium=240/1440;low=1440/4320")
WARNING_POLICE_GRADES = env_list("FANZHA_WARNING_POLICE_GRADES", ["urgent", "high"])
WARNING_ASSIGNMENT = env_str("FANZHA_WARNING_ASSIGNMENT", "least_loaded")
# An export (the list's, the feedback's) of more rows than this is made by the worker and downloaded from
# 我的导出; up to it, in the request. 0 sends every export with rows to the worker.
EXPORT_INLINE_ROWS = env_int("FANZHA_EXPORT_INLINE_ROWS", 20_000, minimum=0)
WARNING_REMIND_PERCENT = env_int("FANZHA_WARNING_REMIND_PERCENT", 80, minimum=1)
# The centre's own trunk code (e.g. 0571): a landline written without one is read as local.
WARNING_LOCAL_AREA_CODE = env_str("FANZHA_LOCAL_AREA_CODE", "").strip()
if WARNING_LOCAL_AREA_CODE and not re.fullmatch(r"0[1-9]\d{1,2}", WARNING_LOCAL_AREA_CODE):
    raise ImproperlyConfigured(
        f"FANZHA_LOCAL_AREA_CODE must be a trunk code such as 0571, not {WARNING_LOCAL_AREA_CODE!r}"
    )

# ── cases (案件): legal clocks of the bank measures; see docs/cases.md ──────────
# 紧急止付 48 h, repeatable twice (银发〔2016〕86号); 冻结 6 months, renewable; frozen money returned
# within 3 working days of the return decision. Alerts go to the case officer before a clock runs out.
CASE_STOP_HOURS = env_int("FANZHA_CASE_STOP_HOURS", 48, minimum=1)
CASE_STOP_REPEATS = env_int("FANZHA_CASE_STOP_REPEATS", 2, minimum=0)
CASE_FREEZE_MONTHS = env_int("FANZHA_CASE_FREEZE_MONTHS", 6, minimum=1)
CASE_RETURN_WORKING_DAYS = env_int("FANZHA_CASE_RETURN_WORKING_DAYS", 3, minimum=1)
CASE_STOP_ALERT_HOURS = env_int("FANZHA_CASE_STOP_ALERT_HOURS", 8, minimum=1)
CASE_FREEZE_ALERT_DAYS = env_int("FANZHA_CASE_FREEZE_ALERT_DAYS", 15, minimum=1)
CASE_STOP_ANSWER_MINUTES = env_int("FANZHA_CASE_STOP_ANSWER_MINUTES", 30, minimum=1)
CASE_FREEZE_ANSWER_HOURS = env_int("FANZHA_CASE_FREEZE_ANSWER_HOURS", 24, minimum=1)

# ── logging: one JSON object a line, no personal data ────────────────────────
LOG_LEVEL = env_str("FANZHA_LOG_LEVEL", "INFO").strip().upper() or "INFO"
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        "FANZHA_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, "
        f"not {os.environ.get('FANZHA_LOG_LEVEL')!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "fanzha.core.logging.PiiScrubFilter"}},
    "formatters": {"json": {"()": "fanzha.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["pii"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's own handlers (an unscrubbed console line with DEBUG on, admin mails without).
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}


def production_problems() -> list[str]:
    """Each unsafe setting, in words an operator can act on."""
    problems = []
    if not os.environ.get("SECRET_KEY") or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set in the environment, at least 50 characters")
    if not os.environ.get("FANZHA_PII_KEY"):
        problems.append("FANZHA_PII_KEY must be set in the environment (fanzha keygen prints one)")
    if DEBUG:
        problems.append("FANZHA_DEBUG must be off")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names the platform answers to, without '*'")
    if not SESSION_COOKIE_SECURE:
        problems.append("FANZHA_SECURE_COOKIES must be on")
    if PII_CIPHER not in {"aes-gcm", "sm4-gcm"}:
        problems.append("FANZHA_PII_CIPHER must be aes-gcm or sm4-gcm")
    return problems + _account_security_problems()


def _account_security_problems() -> list[str]:
    """The 等保 2.0 bounds on login, password and session settings."""
    problems = []
    if PASSWORD_POLICY != "mlps2":  # noqa: S105 - a policy name, not a password
        problems.append("FANZHA_PASSWORD_POLICY must be mlps2")
    if AXES_FAILURE_LIMIT > 10:
        problems.append("FANZHA_LOGIN_FAILURE_LIMIT must be 10 or lower")
    if PASSWORD_MIN_LENGTH < 8:
        problems.append("FANZHA_PASSWORD_MIN_LENGTH must be 8 or more")
    if PASSWORD_MAX_AGE_DAYS == 0 or PASSWORD_MAX_AGE_DAYS > 180:
        problems.append("FANZHA_PASSWORD_MAX_AGE_DAYS must be between 1 and 180")
    if SESSION_IDLE_TIMEOUT > 30 * 60:
        problems.append("FANZHA_SESSION_IDLE_MINUTES must be 30 or lower")
    if SESSION_ABSOLUTE_TIMEOUT > 24 * 3600:
        problems.append("FANZHA_SESSION_MAX_HOURS must be 24 or lower")
    return problems


if PII_CIPHER not in {"aes-gcm", "sm4-gcm"}:
    raise ImproperlyConfigured(f"FANZHA_PII_CIPHER must be aes-gcm or sm4-gcm, not {PII_CIPHER!r}")
if PRODUCTION and production_problems():
    raise ImproperlyConfigured(
        "fanzha refuses to start in production with unsafe settings:\n- " + "\n- ".join(production_problems())
    )
