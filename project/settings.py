"""Mostrador settings: one module, read from the environment.

With no variable set the project runs embedded (SQLite, in-memory channel layer,
eager Celery, local-memory cache, offline `local` LLM provider). DJANGO_PROFILE=production
makes the required production values mandatory. Every variable is listed in .env.example.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "data"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.str("DJANGO_PROFILE", default="local") == "production"
VERSION = "0.1.0"


def _required(name: str, default, cast=str):
    """A variable that production must set and the embedded profile defaults."""
    getter = {str: env.str, list: env.list, bool: env.bool}[cast]
    return getter(name) if PRODUCTION else getter(name, default=default)


SECRET_KEY = _required(
    "SECRET_KEY", "dev-insecure-mostrador-key-change-me-in-production"
)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = _required(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"], list
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "accounts",
    "assistant",
    "helpdesk",
    "messaging",
]

MIDDLEWARE = [
    "project.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "project.middleware.AxesMiddleware",  # axes' own, with its ASGI lockout fixed
]
# axes.W002 wants the exact path "axes.middleware.AxesMiddleware"; ours subclasses it.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "project.asgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.authentication.UsernameOrEmailBackend",
]

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

# --- Database ---------------------------------------------------------------------
DATA_DIR.mkdir(exist_ok=True)
DATABASE_URL = _required("DATABASE_URL", f"sqlite:///{DATA_DIR / 'mostrador.sqlite3'}")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during a write; IMMEDIATE avoids "database is locked"
    # upgrades when two requests write at once. Our backend keeps the WAL on close.
    DATABASES["default"]["ENGINE"] = "project.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests get a file too: Django's default in-memory test database shares one cache
    # between threads, where a concurrent write fails at once ("database table is
    # locked") instead of waiting out the timeout as it does on a file.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery -------------------------------------------
REDIS_URL = _required("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A socket's queue keeps up to `capacity` events, then drops new ones:
            # channels_redis's default of 100 fills in a burst of webhooks while
            # daphne is busy answering them. Events still expire after 60 s.
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# No result backend unless set: nothing reads a task's result (tasks record outcomes
# in rows), and a Redis one costs every enqueueing thread (under ASGI, every request)
# a client of its own, and a subscription per task.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://"
)
# Eager tasks (the embedded profile) behave as on a worker: a retry runs at once, as
# no one could run it later, and a failure is logged and recorded on its row instead
# of being raised into the request that queued the task (where a propagated `Retry`
# left a reply `queued` for good).
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Periodic work, run by `celery -A project worker --beat` (or a separate `celery beat`).
CELERY_BEAT_SCHEDULE = {
    "chats-unsnooze-due": {
        "task": "messaging.tasks.chats_unsnooze_due_task",
        "schedule": env.float("INBOX_UNSNOOZE_INTERVAL_SECONDS", default=60.0),
    },
    "messages-requeue-stuck": {
        "task": "messaging.tasks.messages_requeue_stuck_task",
        "schedule": 60.0,
    },
}
# A reply still `queued` this long after its send task was queued is queued again;
# one this old is marked failed (error code `not_sent`) instead.
INBOX_SEND_STUCK_MINUTES = env.int("INBOX_SEND_STUCK_MINUTES", default=15)
INBOX_SEND_GIVE_UP_HOURS = env.int("INBOX_SEND_GIVE_UP_HOURS", default=24)

# --- Auth, passwords, JWT, login abuse ----------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ALLOW_SIGNUP = env.bool("ALLOW_SIGNUP", default=True)
DEFAULT_COMPANY_NAME = env.str("DEFAULT_COMPANY_NAME", default="Mostrador")
ADMIN_USERNAME = env.str("ADMIN_USERNAME", default="admin")
ADMIN_EMAIL = env.str("ADMIN_EMAIL", default="admin@example.com")
ADMIN_PASSWORD = env.str("ADMIN_PASSWORD", default="")


def _pem(value: str) -> str:
    """PEM keys can be given on one line with literal \\n separators."""
    return value.replace("\\n", "\n")


JWT_ALGORITHM = env.str("JWT_ALGORITHM", default="HS256")
SIMPLE_JWT = {
    "ALGORITHM": JWT_ALGORITHM,
    "SIGNING_KEY": _pem(env.str("JWT_SIGNING_KEY", default=SECRET_KEY)),
    "VERIFYING_KEY": _pem(env.str("JWT_VERIFYING_KEY", default="")) or None,
    "ISSUER": env.str("JWT_ISSUER", default="mostrador"),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="") or None,
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=env.int("JWT_ACCESS_MINUTES", default=15)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- DRF and the OpenAPI schema --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.token_authentication.CompanyJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "project.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "project.errors.api_exception_handler",
    "DEFAULT_METADATA_CLASS": "project.metadata.ApiMetadata",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mostrador API",
    "DESCRIPTION": "WhatsApp inbox, GLPI helpdesk and AI assistant for support teams.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PermissionCodeEnum": "accounts.permissions.PermissionCode",
        "LevelEnum": "helpdesk.serializers.LEVEL_CHOICES",
        "TemplateStatusEnum": "messaging.models.Template.Status",
        "AppointmentStatusEnum": "messaging.models.Appointment.Status",
        "ChatSettableStatusEnum": "messaging.api.chat_serializers.SETTABLE_STATUSES",
        "SendableTypeEnum": "messaging.api.message_serializers.SENDABLE_TYPES",
        "MessageTypeEnum": "messaging.models.Message.Type",
        "ChatStatusEnum": "messaging.models.Chat.Status",
        "TypeEnum": "helpdesk.mapping.TYPES.values",  # GLPI ticket types
    },
}

# --- Integrations ----------------------------------------------------------------------
# LLM: "local" (offline, built in), "openai" (or any OpenAI-compatible server), "groq".
LLM_PROVIDER = env.str("LLM_PROVIDER", default="local")
LLM_MODEL = env.str("LLM_MODEL", default="")  # empty: the provider's default model
# Extra models offered to users, as "provider:model" (e.g. "groq:llama-3.1-8b-instant").
LLM_MODELS = env.list("LLM_MODELS", default=[])
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str(
    "OPENAI_BASE_URL", default=env.str("LLM_BASE_URL", default="")
)
OPENAI_DEFAULT_MODEL = env.str("OPENAI_DEFAULT_MODEL", default="gpt-4o-mini")
GROQ_API_KEY = env.str("GROQ_API_KEY", default="")
GROQ_BASE_URL = env.str("GROQ_BASE_URL", default="")
GROQ_DEFAULT_MODEL = env.str("GROQ_DEFAULT_MODEL", default="llama-3.3-70b-versatile")
LLM_CONNECT_TIMEOUT_SECONDS = env.float("LLM_CONNECT_TIMEOUT_SECONDS", default=5.0)
# Longest wait for the next piece of a reply, and for a whole reply.
LLM_READ_TIMEOUT_SECONDS = env.float("LLM_READ_TIMEOUT_SECONDS", default=30.0)
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=120.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
# History sent upstream is trimmed to this many (estimated) tokens, newest first.
LLM_CONTEXT_TOKENS = env.int("LLM_CONTEXT_TOKENS", default=8000)
# Per-model budgets, as "model=tokens,model=tokens".
LLM_CONTEXT_TOKENS_BY_MODEL = env.dict(
    "LLM_CONTEXT_TOKENS_BY_MODEL", cast={"value": int}, default={}
)
ASSISTANT_MAX_CONTENT_CHARS = env.int("ASSISTANT_MAX_CONTENT_CHARS", default=32000)
# Interaction logs keep prompts only when this is on.
LOG_PROMPTS = env.bool("LOG_PROMPTS", default=False)
# GLPI: defaults for the first company's connection (`manage.py bootstrap`).
GLPI_URL = env.str("GLPI_URL", default="")
GLPI_APP_TOKEN = env.str("GLPI_APP_TOKEN", default="")
GLPI_USER_TOKEN = env.str("GLPI_USER_TOKEN", default="")
# Rows asked for per GLPI request when walking lists (GLPI advises at most 1000).
GLPI_PAGE_SIZE = env.int("GLPI_PAGE_SIZE", default=500)
# Lists and statistics are cached per company this long; writes clear them.
HELPDESK_CACHE_SECONDS = env.int("HELPDESK_CACHE_SECONDS", default=60)
# Mean time to solve is taken over this many most recently solved tickets.
HELPDESK_SOLVE_TIME_SAMPLE = env.int("HELPDESK_SOLVE_TIME_SAMPLE", default=200)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
STATUS_CHECK_TIMEOUT_SECONDS = env.float("STATUS_CHECK_TIMEOUT_SECONDS", default=2.0)
# YCloud (WhatsApp): the API base URL new channels start with (each channel keeps its
# own), the timeout of each call, and how far a webhook signature's time may be off.
YCLOUD_API_BASE_URL = env.str(
    "YCLOUD_API_BASE_URL", default="https://api.ycloud.com/v2"
)
YCLOUD_TIMEOUT_SECONDS = env.float("YCLOUD_TIMEOUT_SECONDS", default=10.0)
YCLOUD_WEBHOOK_TOLERANCE_SECONDS = env.int(
    "YCLOUD_WEBHOOK_TOLERANCE_SECONDS", default=300
)
# Largest inbound media file copied from YCloud (WhatsApp documents go up to 100 MB).
YCLOUD_MEDIA_MAX_BYTES = env.int("YCLOUD_MEDIA_MAX_BYTES", default=100 * 1024 * 1024)
# Inbox uploads: a sticker file, a WhatsApp chat export (.txt or .zip with its media),
# and the most messages one export may hold.
STICKER_MAX_BYTES = env.int("STICKER_MAX_BYTES", default=500 * 1024)
CHAT_IMPORT_MAX_BYTES = env.int("CHAT_IMPORT_MAX_BYTES", default=64 * 1024 * 1024)
CHAT_IMPORT_MAX_MESSAGES = env.int("CHAT_IMPORT_MAX_MESSAGES", default=40_000)

# --- Internationalisation, static and media files ----------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG  # without collectstatic, serve straight from the apps
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# --- Security: production hardening (manage.py check --deploy) ---------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # daphne logs full WebSocket URLs, which carry ?token=; keep its access log quiet.
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The LLM SDKs' HTTP clients log every request at INFO.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
    },
}
