"""Settings for the tiered-cultivation tracking system, all read from the environment.

With no DATABASE_URL and no REDIS_URL the project runs on an embedded default
(SQLite file, Celery tasks executed in-process) so that a newcomer can try it
with one command.  Production and CI point DATABASE_URL at PostgreSQL and
REDIS_URL at Redis; ZJTX_PRODUCTION=1 switches on the hardened settings that
`manage.py check --deploy` expects.
"""

import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("ZJTX_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    # Secrets come only from the environment: no default, and no short or example key.
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(("insecure", "django-insecure")):
        raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters in production.")
else:
    # A fixed key is acceptable only for the embedded demo and tests.
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me-0123456789abcdef")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "filestore",
    # The domain's rooms, in the order their imports run (downhill): see docs/developers/rooms.md.
    "reference",
    "accounts",
    "enterprises",
    "tiers",
    "programs",
    "servicedesk",
    "reporting",
    "ops",
]

MIDDLEWARE = [
    # /healthz and /readyz first: answered before host checks, HTTPS redirects and sessions.
    "zjtx.health.HealthMiddleware",
    "zjtx.middleware.TrustedProxyMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "zjtx.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zjtx.middleware.SecurityHeadersMiddleware",
    "zjtx.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zjtx.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "zjtx.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The header's counts of open work and unread notifications (computed only when shown).
                "servicedesk.web.work.context",
            ],
            "builtins": ["zjtx.templatetags.zjtx_tags"],
        },
    },
]

WSGI_APPLICATION = "zjtx.wsgi.application"

DATABASES = {
    # Production names its database (and its password) in the environment; only the demo has a default.
    "default": env.db_url("DATABASE_URL")
    if PRODUCTION
    else env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection that the server dropped (PostgreSQL restarted) is found dead and replaced at the
# start of the next request or task, so neither the web server nor the worker needs a restart.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer makes a request fail in seconds (503), not hang.
    _timeout = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", _timeout)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the web server and in-process tasks in threads; wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"].setdefault("TEST", {})["NAME"] = BASE_DIR / "var" / "test.sqlite3"
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Through pgbouncer in transaction pooling (DATABASE_POOLING=transaction): consecutive transactions of
# one connection may run on different server sessions, so nothing may outlive a transaction. Django's
# server-side cursors (QuerySet.iterator() outside a transaction opens a WITH HOLD cursor) and
# psycopg's prepared statements are session state: both off. Everything else the code does is
# transaction-scoped already (SET LOCAL, temporary tables ON COMMIT DROP, row locks; no advisory locks).
DATABASE_POOLING = env.str("DATABASE_POOLING", default="")
if DATABASE_POOLING not in ("", "session", "transaction"):
    raise ImproperlyConfigured("DATABASE_POOLING is empty, 'session' or 'transaction'.")
if DATABASE_POOLING == "transaction" and USES_POSTGRES:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Query counts and latencies for Prometheus: django-prometheus's wrapper of the same backend.
_METERED = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _METERED.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: Chinese by default, English available -------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` copies the static files here; nginx serves them (deploy/nginx/zjtx.conf).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded imports and generated reports live in the database (filestore), which every web and worker
# node reaches; MEDIA_ROOT is only this node's scratch space and download cache, never shared.
STORAGES = {
    "default": {"BACKEND": "filestore.storage.DatabaseStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"
# Behind nginx: the internal location that serves MEDIA_ROOT to X-Accel-Redirect answers only (empty: the
# download views stream the file themselves).
ZJTX_ACCEL_REDIRECT = env.str("ZJTX_ACCEL_REDIRECT", default="")

# Uploaded import files may be large; they are streamed from a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ZJTX_IMPORT_MAX_BYTES = env.int("ZJTX_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
# What one import file may hold, checked before and while it is parsed so that no file can make a
# worker's memory or time grow without bound (enterprises/services/import_files.py and
# docs/operators/security.md): data rows, cells per row, characters per cell, and for .xlsx the
# uncompressed size of the sheet, of the shared strings and of any other part of the zip.
# The made-up sample tier lists of fixtures/sample_lists/ are offered on the list-import page (demo only).
ZJTX_SAMPLE_LISTS = env.bool("ZJTX_SAMPLE_LISTS", default=not PRODUCTION)
ZJTX_IMPORT_MAX_ROWS = env.int("ZJTX_IMPORT_MAX_ROWS", default=500_000)
ZJTX_IMPORT_MAX_COLUMNS = env.int("ZJTX_IMPORT_MAX_COLUMNS", default=256)
ZJTX_IMPORT_MAX_CELL_CHARS = env.int("ZJTX_IMPORT_MAX_CELL_CHARS", default=32_767)
ZJTX_IMPORT_MAX_SHEET_BYTES = env.int("ZJTX_IMPORT_MAX_SHEET_BYTES", default=512 * 1024 * 1024)
ZJTX_IMPORT_MAX_SHARED_STRINGS_BYTES = env.int("ZJTX_IMPORT_MAX_SHARED_STRINGS_BYTES", default=96 * 1024 * 1024)
ZJTX_IMPORT_MAX_PART_BYTES = env.int("ZJTX_IMPORT_MAX_PART_BYTES", default=16 * 1024 * 1024)
# A sheet of at most this many cells (rows x columns, as the reader lays them out) is read whole by
# python-calamine (fast, ~100 bytes a cell); a larger one is streamed by openpyxl (slow, flat memory).
ZJTX_IMPORT_FAST_XLSX_CELLS = env.int("ZJTX_IMPORT_FAST_XLSX_CELLS", default=1_500_000)

# --- Client addresses ----------------------------------------------------------------------
# How many reverse proxies in front of the application append to X-Forwarded-For (zjtx.net): 0 means
# REMOTE_ADDR is the client (the default: a client-written X-Forwarded-For is never believed).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["zjtx.api.IsAuthenticatedWithRole"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "zjtx.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "zjtx.schema.AutoSchema",
    "EXCEPTION_HANDLER": "zjtx.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["zjtx.throttling.AnonThrottle", "zjtx.throttling.UserThrottle"],
    # zjtx.net.client_address decides who a client is; DRF's own helpers read the same count.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="6000/min"),
        # POST /api/v1/auth/token/ per client address, on top of the lock-out below.
        "login": env.str("THROTTLE_LOGIN", default="10/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ZJTX tiered-cultivation API",
    "DESCRIPTION": "Enterprise tiered cultivation (梯度培育) of innovative and SRDI SMEs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["zjtx.api.IsAuthenticatedWithRole"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from this site, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "tiers.models.lifecycle.ApplicationStatusChoices",
        "CertificationStatusEnum": "tiers.models.lifecycle.CertificationStatusChoices",
        "ImportStatusEnum": "enterprises.models.registry.ImportStatus",
        "TierListKindEnum": "tiers.models.tier_lists.ListKindChoices",
        "TierListStatusEnum": "tiers.models.tier_lists.TierListStatus",
        "DistrictKindEnum": "reference.models.DistrictKind",
        "MetricKindEnum": "reporting.models.MetricKind",
        "ReportKindEnum": "reporting.models.ReportKind",
        "ReportStatusEnum": "reporting.models.ReportStatus",
        "BenefitStatusEnum": "programs.models.benefits.BenefitStatusChoices",
        "UnitKindEnum": "programs.models.policy.UnitKind",
        "GroupKindEnum": "programs.models.policy.GroupKind",
        "MeasureKindEnum": "programs.models.policy.MeasureKind",
        "CommitmentKindEnum": "programs.models.policy.CommitmentKind",
        "RuleKindEnum": "programs.models.subsidy.RuleKind",
        "DemandStatusEnum": "servicedesk.models.DemandStatusChoices",
    },
}

# --- Cache, Celery -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
# Without a broker the embedded demo runs tasks in-process; with one, never eagerly
# (eager mode hides on_commit and serialisation bugs).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process (prefork child) whose resident memory went above this (KiB) after a task is replaced by
# a fresh one, so one bad file cannot keep a process bloated; the import limits keep a task itself below it.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=300 * 1024)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="zjtx")
# Timeouts of the broker and cache connections (seconds): a request that queues work while Redis is down
# gives up within about a second, and the work waits in the database (zjtx/outbox.py).
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task taken by a worker that dies is redelivered after this many seconds (it must exceed
    # the longest task: a large import takes minutes), found by a sweep every interval × throttle s.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
# Publishing a task message: one quick retry, then the caller is told (the run waits for the sweeper).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2}
# The queue's outbox (zjtx/outbox.py): runs recorded but not accepted by the broker are sent by a sweep
# every ZJTX_QUEUE_SWEEP_SECONDS (beat, and each worker at start) once they are ZJTX_QUEUE_SEND_DELAY
# seconds old; a run accepted but still not taken after ZJTX_QUEUE_RESEND_HOURS is sent again (its
# message was lost with a Redis that kept no data). After a failed send, a process does not try the
# broker again for ZJTX_QUEUE_RETRY_SECONDS (its requests leave the work to the sweeper).
ZJTX_QUEUE_SWEEP_SECONDS = env.float("ZJTX_QUEUE_SWEEP_SECONDS", default=30)
ZJTX_QUEUE_SEND_DELAY = env.float("ZJTX_QUEUE_SEND_DELAY", default=10)
ZJTX_QUEUE_RESEND_HOURS = env.float("ZJTX_QUEUE_RESEND_HOURS", default=6)
ZJTX_QUEUE_RETRY_SECONDS = env.float("ZJTX_QUEUE_RETRY_SECONDS", default=5)
# A nightly job of the beat schedule whose time passed this many minutes ago while the broker was down
# (no JobRun since) is sent by the sweep (reference/services/catch_up.py).
ZJTX_JOB_CATCH_UP_MINUTES = env.int("ZJTX_JOB_CATCH_UP_MINUTES", default=120)
# A run accepted by the broker but not taken by a worker after this many seconds is shown as waiting for one.
ZJTX_QUEUE_WORKER_WAIT_SECONDS = env.float("ZJTX_QUEUE_WORKER_WAIT_SECONDS", default=60)
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker logs through LOGGING below (JSON in production), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# beat's schedule state lives outside the repository (scripts/serve.sh points it at ZJTX_STATE_DIR).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(Path(tempfile.gettempdir()) / "zjtx-celerybeat-schedule")
)
# /readyz wants a worker heartbeat (written every ZJTX_WORKER_HEARTBEAT_SECONDS) at most this old.
ZJTX_WORKER_HEARTBEAT_SECONDS = env.int("ZJTX_WORKER_HEARTBEAT_SECONDS", default=10)
ZJTX_WORKER_HEARTBEAT_MAX_AGE = env.int("ZJTX_WORKER_HEARTBEAT_MAX_AGE", default=60)

if REDIS_URL:
    # Redis, or each process's memory while Redis does not answer (zjtx/cache.py: reads never wait for Redis).
    CACHES = {
        "default": {
            "BACKEND": "zjtx.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "retry_seconds": env.float("ZJTX_CACHE_RETRY_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Security ------------------------------------------------------------------------------
# Idle timeout: a session unused for SESSION_COOKIE_AGE seconds ends (every request renews it).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = env.bool("SESSION_SAVE_EVERY_REQUEST", default=True)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Pages load only this site's scripts and styles (htmx, ECharts, the admin's and Swagger UI's, all served
# from STATIC_URL) and nothing inline; images may be data: URIs (Swagger UI's icons, chart downloads).
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Lock-out (accounts.services.login), counted within ZJTX_LOCKOUT_WINDOW_MINUTES:
# - this many failures for one account name from one address lock that pair for ZJTX_LOCKOUT_MINUTES;
ZJTX_LOCKOUT_PAIR_FAILURES = env.int("ZJTX_LOCKOUT_PAIR_FAILURES", default=5)
# - this many from one address (any names) lock the address for ZJTX_LOCKOUT_MINUTES;
ZJTX_LOCKOUT_ADDRESS_FAILURES = env.int("ZJTX_LOCKOUT_ADDRESS_FAILURES", default=20)
ZJTX_LOCKOUT_WINDOW_MINUTES = env.int("ZJTX_LOCKOUT_WINDOW_MINUTES", default=15)
ZJTX_LOCKOUT_MINUTES = env.int("ZJTX_LOCKOUT_MINUTES", default=15)
# - past this many for one account from any addresses within ZJTX_LOCKOUT_ACCOUNT_WINDOW_HOURS, each
#   further failure makes the account wait (from addresses its owner has not logged in from within
#   ZJTX_KNOWN_ADDRESS_DAYS): ZJTX_LOCKOUT_BACKOFF_MINUTES, doubling, at most ..._BACKOFF_MAX_MINUTES.
ZJTX_LOCKOUT_ACCOUNT_FAILURES = env.int("ZJTX_LOCKOUT_ACCOUNT_FAILURES", default=10)
ZJTX_LOCKOUT_ACCOUNT_WINDOW_HOURS = env.int("ZJTX_LOCKOUT_ACCOUNT_WINDOW_HOURS", default=24)
ZJTX_LOCKOUT_BACKOFF_MINUTES = env.int("ZJTX_LOCKOUT_BACKOFF_MINUTES", default=1)
ZJTX_LOCKOUT_BACKOFF_MAX_MINUTES = env.int("ZJTX_LOCKOUT_BACKOFF_MAX_MINUTES", default=60)
ZJTX_KNOWN_ADDRESS_DAYS = env.int("ZJTX_KNOWN_ADDRESS_DAYS", default=90)
# API tokens work for this many hours after they are issued (a working day), then the client logs in again.
ZJTX_TOKEN_HOURS = env.int("ZJTX_TOKEN_HOURS", default=8)
if ZJTX_TOKEN_HOURS <= 0:
    raise ImproperlyConfigured("ZJTX_TOKEN_HOURS must be a positive number of hours.")
# Superusers confirm each login with a TOTP code (RFC 6238) of their authenticator app; on in production.
ZJTX_ADMIN_REQUIRE_OTP = env.bool("ZJTX_ADMIN_REQUIRE_OTP", default=PRODUCTION)
ZJTX_OTP_ISSUER = env.str("ZJTX_OTP_ISSUER", default="ZJTX")
# The audit log keeps every entry at least this many days (the purge deletes only older ones).
ZJTX_AUDIT_RETENTION_MIN_DAYS = 180
ZJTX_AUDIT_RETENTION_DAYS = env.int("ZJTX_AUDIT_RETENTION_DAYS", default=365)
if ZJTX_AUDIT_RETENTION_DAYS < ZJTX_AUDIT_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(f"ZJTX_AUDIT_RETENTION_DAYS must be at least {ZJTX_AUDIT_RETENTION_MIN_DAYS}.")

# --- Behind a proxy, metrics, logs ---------------------------------------------------------
# Addresses of the reverse proxies whose X-Real-IP header names the client (nginx on the same host).
ZJTX_TRUSTED_PROXIES = env.list("ZJTX_TRUSTED_PROXIES", default=[])
# Who may read /metrics (addresses or networks).
ZJTX_METRICS_ALLOWED = env.list("ZJTX_METRICS_ALLOWED", default=["127.0.0.0/8", "::1"])
PROMETHEUS_METRIC_NAMESPACE = ""

LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zjtx.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "zjtx.logformat.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per request from zjtx.requestid replaces Django's own request logging of the dev server.
        "zjtx.request": {"level": env.str("REQUEST_LOG_LEVEL", default="INFO" if PRODUCTION else "WARNING")},
    },
}

# --- Domain settings -----------------------------------------------------------------------
# Lists (API and pages) count their rows exactly up to this many and report "more than this" beyond
# (zjtx/paginator.py): an exact count of a national list costs more than the page itself.
ZJTX_PAGINATION_COUNT_CAP = env.int("ZJTX_PAGINATION_COUNT_CAP", default=1000)
if ZJTX_PAGINATION_COUNT_CAP < 1:
    raise ImproperlyConfigured("ZJTX_PAGINATION_COUNT_CAP must be at least 1.")
# Days before a certification's end at which it is listed as "expiring soon".
ZJTX_EXPIRING_SOON_DAYS = env.int("ZJTX_EXPIRING_SOON_DAYS", default=90)
# Service desk (一企一策一人): an enterprise with a specialist is due for a visit when its last
# visit (or, never visited, its first specialist) is more than this many days ago.
ZJTX_VISIT_INTERVAL_DAYS = env.int("ZJTX_VISIT_INTERVAL_DAYS", default=90)
# Days before a certification's end at which its re-review window opens (the work queue lists it
# until the re-review starts; the last ZJTX_EXPIRING_SOON_DAYS are listed as "ending").  How often each
# tier is visited is data per city (servicedesk.VisitCadence, fixtures/servicedesk/visit_cadence.yaml).
ZJTX_RE_REVIEW_WINDOW_DAYS = env.int("ZJTX_RE_REVIEW_WINDOW_DAYS", default=180)
# The daily check stores at most this many overdue demands and due visits per district in its
# details (its counts are always complete; the API lists everything).
ZJTX_SERVICE_DESK_DETAIL_LIMIT = env.int("ZJTX_SERVICE_DESK_DETAIL_LIMIT", default=500)

# --- Notifications (servicedesk/notifications.py) -------------------------------------------
# Links in e-mails and robot messages are absolute: the address users open the site at.
ZJTX_SITE_URL = env.str("ZJTX_SITE_URL", default="http://127.0.0.1:8000")
# The daily digest goes out through Django's SMTP e-mail backend.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zjtx@localhost")
# Optional group robot (企业微信 / 钉钉 群机器人): the day's new items are POSTed there as one JSON message.
ZJTX_ROBOT_WEBHOOK_URL = env.str("ZJTX_ROBOT_WEBHOOK_URL", default="")
if ZJTX_ROBOT_WEBHOOK_URL and not ZJTX_ROBOT_WEBHOOK_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("ZJTX_ROBOT_WEBHOOK_URL must be an http(s) URL.")
ZJTX_ROBOT_TIMEOUT = env.int("ZJTX_ROBOT_TIMEOUT", default=10)
