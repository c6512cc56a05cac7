"""Django settings for Nomarr, read from the environment (see README's configuration table).

Defaults give the embedded set-up: SQLite in the data dir, django-q2's ORM broker and an
in-process channel layer fed by the event outbox. `DATABASE_URL` and `REDIS_URL` switch to the
scale-out set-up without code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

from nomarr_site import env

BASE_DIR = Path(__file__).resolve().parent.parent
env.load_env_file(Path.cwd())

VERSION = "0.1.0"
DATA_DIR = env.data_dir(BASE_DIR)
SECRET_KEY = env.secret_key(DATA_DIR)
DEBUG = env.get_bool("NOMARR_DEBUG", False)
ALLOWED_HOSTS = env.get_list("NOMARR_ALLOWED_HOSTS", ["*"])
CSRF_TRUSTED_ORIGINS = env.get_list("NOMARR_CSRF_TRUSTED_ORIGINS", [])
PORT = env.get_int("NOMARR_PORT", 8356, minimum=1, maximum=65535)
BIND_ADDRESS = env.get_str("NOMARR_BIND", "0.0.0.0")  # noqa: S104 - a home server serves its LAN
URL_BASE = env.get_url_base("NOMARR_URL_BASE")  # a sub-path behind a proxy: never from a request
LOG_LEVEL = env.get_choice("NOMARR_LOG_LEVEL", "INFO", env.LOG_LEVELS)
TIME_ZONE = env.get_time_zone("NOMARR_TIME_ZONE", os.environ.get("TZ") or "UTC")
REDIS_URL = env.get_redis_url("REDIS_URL")
ADMIN_PASSWORD = os.environ.get("NOMARR_ADMIN_PASSWORD") or None
TOKEN_TTL_HOURS = env.get_int("NOMARR_TOKEN_TTL_HOURS", 24, minimum=1, maximum=24 * 365)
TOKEN_REMEMBER_DAYS = env.get_int("NOMARR_TOKEN_REMEMBER_DAYS", 30, minimum=1, maximum=365)
WORKERS = env.get_int("NOMARR_WORKERS", os.cpu_count() or 2, minimum=1, maximum=64)
MODELS_DIR = env.get_str("NOMARR_MODELS_DIR", str(DATA_DIR / "models"))
# Where model sets are downloaded from (a mirror of Essentia's models site may replace it).
MODELS_URL = env.get_str("NOMARR_MODELS_URL", "https://essentia.upf.edu/models")
# Request bodies over this size get a 413 before they are read (nomarr_site/bodylimit.py); the
# JSON APIs take small bodies. Django's own limit agrees, for the WSGI path and the test client.
MAX_BODY_BYTES = env.get_int("NOMARR_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# Path prefix -> larger limit, for endpoints that take uploads (none yet).
BODY_LIMIT_OVERRIDES: dict[str, int] = {}
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

INSTALLED_APPS = [
    "daphne",
    "nomarr_site.apps.BackofficeConfig",  # django.contrib.admin, throttled login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "jobs",  # before django_q: its `qcluster` command replaces django-q2's
    "django_q",
    "channels",
    "nomarr_site",
    "library",
    "calibration",
    "invitations",
    "media_meta",
]

MIDDLEWARE = [
    "nomarr_site.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nomarr_site.auth.gate.PolicyGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nomarr_site.urls"
ASGI_APPLICATION = "nomarr_site.asgi.application"
WSGI_APPLICATION = "nomarr_site.wsgi.application"

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
                "nomarr_site.context_processors.nomarr",
            ],
        },
    },
]

_database = env.get_database("DATABASE_URL", DATA_DIR / "nomarr.sqlite3")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # One web process and several workers write together: WAL lets readers run beside the
    # writer, IMMEDIATE transactions take the write lock up front (no upgrade deadlocks), and
    # the busy timeout makes a writer wait instead of failing with "database is locked".
    _database.setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=30000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
    )
    # A file, not memory: end-to-end tests run real worker processes against the test database.
    _database["TEST"] = {"NAME": str(DATA_DIR / "test-nomarr.sqlite3")}
else:
    _database.setdefault("CONN_MAX_AGE", 60)
    _database.setdefault("CONN_HEALTH_CHECKS", True)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nomarr",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "nomarr_site.events.layers.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "nomarr"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# TMDB (series metadata): the API root and the seconds one request may take. Tests point the
# root at a loopback server; image URLs come from TMDB's own /configuration answer.
TMDB_API_URL = env.get_str("NOMARR_TMDB_API_URL", "https://api.themoviedb.org/3").rstrip("/")
TMDB_TIMEOUT_SECONDS = env.get_int("NOMARR_TMDB_TIMEOUT", 10, minimum=1, maximum=300)

# Queue timings, read once here (jobs/conf.py derives the rest; tests override these).
JOB_TIMEOUT_SECONDS = env.get_int("NOMARR_JOB_TIMEOUT", 6 * 3600, minimum=10)
JOB_STALE_SECONDS = env.get_int("NOMARR_JOB_STALE_SECONDS", 60, minimum=2, maximum=24 * 3600)
JOB_SWEEP_SECONDS = env.get_int("NOMARR_SWEEP_SECONDS", 3, minimum=1, maximum=300)
JOB_RETRY_BASE_SECONDS = env.get_int("NOMARR_RETRY_BASE_SECONDS", 2, minimum=0, maximum=3600)

Q_CLUSTER = {
    "name": "nomarr",
    "workers": WORKERS,
    "recycle": 500,
    "timeout": JOB_TIMEOUT_SECONDS,
    "retry": JOB_TIMEOUT_SECONDS + 60,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 100,
    "label": "Django Q2",
    "poll": 0.2,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/web/login"
LOGIN_REDIRECT_URL = "/web/dashboard"
# Sessions live in the database under a hash of their key: logout revokes them server-side, and
# a copy of the database holds no usable session (README design notes).
SESSION_ENGINE = "nomarr_site.auth.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = TOKEN_TTL_HOURS * 3600
CSRF_COOKIE_SAMESITE = "Lax"
# A plain (non-DRF) view under /api/ that fails the CSRF check answers in the API's format.
CSRF_FAILURE_VIEW = "nomarr_site.handlers.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS reverse proxy, set NOMARR_SECURE_COOKIES=true. By default Nomarr serves plain
# HTTP on the owner's LAN, so the HTTPS-only deployment checks do not apply and are silenced.
SECURE_COOKIES = env.get_bool("NOMARR_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]
if not SECURE_COOKIES:
    SILENCED_SYSTEM_CHECKS += ["security.W012", "security.W016"]

LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["nomarr_site.auth.authentication.NomarrAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["nomarr_site.auth.policy.AllowedByPolicy"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "nomarr_site.renderers.StaffBrowsableNegotiation",
    "DEFAULT_PARSER_CLASSES": ["nomarr_site.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nomarr_site.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "nomarr_site.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Nomarr API",
    "DESCRIPTION": "Auto-tagging, job queue, series and invitations for self-hosted media.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "/favicon.ico",
    # No validator badge: Swagger UI would load it from validator.swagger.io (local assets only;
    # templates/drf_spectacular/redoc.html likewise drops ReDoc's Google Fonts).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["nomarr_site.auth.policy.AllowedByPolicy"],
    "SERVE_AUTHENTICATION": [],
    # Documented as Django's own `<uuid:…>` (format uuid); the converter also takes upper case.
    "PATH_CONVERTER_OVERRIDES": {"uuid_any": {"type": "string", "format": "uuid"}},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "nomarr_site.middleware.RequestIdLogFilter"},
        "one_line_warning": {"()": "nomarr_site.logfilters.OneLineWarning"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # A client's mistake that Django refuses with a 400 (a malformed or unknown Host header,
        # a form past Django's field or file count): one WARNING line, not an ERROR traceback.
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
        "django.security.TooManyFieldsSent": {"filters": ["one_line_warning"]},
        "django.security.TooManyFilesSent": {"filters": ["one_line_warning"]},
        "django.security.RequestDataTooBig": {"filters": ["one_line_warning"]},
        "django-q": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "daphne": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
