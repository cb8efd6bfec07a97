"""Settings shared by every environment. Everything comes from the environment.

The embedded PostgreSQL and Redis that `make run` / `make test` start on a bare machine belong to
the launcher (devstack/), never to these settings: here DATABASE_URL and REDIS_URL are simply read.
"""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
# HMAC key for API token digests; unset, apps/accounts/tokens.py derives one from SECRET_KEY.
API_TOKEN_PEPPER = env("DJANGO_API_TOKEN_PEPPER", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_htmx",
    "simple_history",
    "import_export",
    "apps.core",
    "apps.accounts",
    "apps.catalog",
    "apps.plant",
    "apps.audits",
    "apps.configurator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# psycopg 3 is selected by the postgres:// scheme; the URL is required (no SQLite fallback).
DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///fiber")}
# A Unix-socket server is written the libpq way, host percent-encoded
# (postgres://postgres@%2Fpath%2Fto%2Fsocket/fiber, as the launcher exports it and psql reads it);
# django-environ keeps such a host encoded (and lowercased), so we read it from the raw URL.
if str(DATABASES["default"].get("HOST", "")).lower().startswith("%2f"):
    _netloc = urlsplit(env("DATABASE_URL")).netloc.rpartition("@")[2]
    DATABASES["default"]["HOST"] = unquote(re.sub(r":\d+$", "", _netloc))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

# --- Celery ---------------------------------------------------------------------------------
# Reliability comes from the task design (idempotent chunks re-queued by beat), and these
# settings make a worker that dies mid-task give its message back to the queue.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Re-queue audit chunks whose worker went quiet; fail a run after AUDIT_CHUNK_MAX_ATTEMPTS.
    "audits-requeue-stale-chunks": {
        "task": "apps.audits.tasks.audit_chunks_requeue_task",
        "schedule": env.float("AUDIT_REQUEUE_INTERVAL_SECONDS", default=30.0),
    },
}

# --- Audits ---------------------------------------------------------------------------------
AUDIT_KEEP_RUNS = env.int("AUDIT_KEEP_RUNS", default=10)  # per hall; the current audit is kept
AUDIT_CHUNK_SIZE = env.int("AUDIT_CHUNK_SIZE", default=2000)  # links per chunk
AUDIT_HEARTBEAT_STALE_SECONDS = env.int("AUDIT_HEARTBEAT_STALE_SECONDS", default=300)
AUDIT_CHUNK_MAX_ATTEMPTS = env.int("AUDIT_CHUNK_MAX_ATTEMPTS", default=3)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that unauthenticated API calls get 401 + "WWW-Authenticate: Bearer".
        "apps.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Integrations until API tokens land: HTTP Basic over TLS (curl -u user:password).
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apps.accounts.permissions.TokenWritePermission",  # read-only tokens: safe methods only
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.openapi.AutoSchema",  # + our 401/403 codes
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "apps.core.api.errors.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "apps.core.api.errors.ExceptionFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fiber configurator API",
    "DESCRIPTION": (
        "Design data-centre fiber cabling and check every link: polarity lane by lane, "
        "mating rules and the insertion-loss budget against the IEEE 802.3 PMD limits."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": (
            "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices"
        ),
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        # Plant choice sets whose field names ("status", "kind", "role") other apps use too.
        "CableStatusEnum": "apps.plant.api.schema.CABLE_STATUS",
        "LinkStatusEnum": "apps.plant.api.schema.LINK_STATUS",
        "LinkEndRoleEnum": "apps.plant.api.schema.LINK_END_ROLE",
        "DeviceKindEnum": "apps.plant.api.schema.DEVICE_KIND",
        "KindEnum": "apps.plant.api.schema.PRODUCT_KIND",
        "RoleEnum": "apps.accounts.models.Role",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# The directory holding the catalog seed files that `manage.py load_catalog` reads.
CATALOG_SEED_DIR = BASE_DIR / "apps" / "catalog" / "seed"
