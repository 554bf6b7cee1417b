"""Settings for MIPRES abierto, read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP

from mipres.lib.localenv import env_file
from mipres.lib.pgtemp import APP_ROLE, local_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The environment wins over .env; manage.py writes a local .env on first use
# (mipres/lib/localenv.py).
environ.Env.read_env(env_file(BASE_DIR), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# `make run` on this machine: plain http on localhost, so none of the https-only settings,
# static files from the app folders, e-mail to the console; DEBUG stays off (the project's
# own error pages), errors are logged to the console.
LOCAL_HTTP = env.bool("LOCAL_HTTP", default=False)
_DEV_SECRET = "dev-only-secret-key-not-for-production-0123456789abcdefghijklmnop"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = "MIPRES abierto"
# The public address used in links sent by email.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "entities",
    "accounts",
    "prescriptions",
    "supply",
    "patients",
    # Django REST framework is used as a library, not installed as an app: its locale would
    # replace Django's own Spanish messages everywhere ("Este campo es requerido.").
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "webservices",
    "fhir_api",
    # Background work (docs/scaling.md): Django's Tasks with the database backend, and the
    # project's task pages (exports), periodic jobs and helpers; django_tasks_db under a
    # Spanish name in the admin.
    "jobs.apps.TaskResultsConfig",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A session that just wrote reads from the primary, not the replica (mipres/db.py).
    "mipres.db.ReplicaPinMiddleware",
    # Before anything resolves the URL: MIPRES's paths are case-insensitive.
    "webservices.middleware.WebServicePathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so only what views produce: the CSP (SECURE_CSP), Permissions-Policy
    # and no-store (mipres/lib/security.py).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "mipres.lib.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Sessions end after SESSION_IDLE_MINUTES without a request.
    "mipres.lib.security.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mipres.lib.request_context.RequestContextMiddleware",
    # E-mail links use the address the request came to, as password reset does.
    "mipres.lib.mail.SiteOriginMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mipres.urls"
WSGI_APPLICATION = "mipres.wsgi.application"

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
                "mipres.context_processors.site",
            ],
        },
    },
    # The hot pages' repeated parts (the timeline, worklist rows): templates/jinja2/,
    # autoescaped (docs/architecture.md says which engine a template uses).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "mipres.jinja_env.environment"},
    },
]

# PostgreSQL everywhere. Without DATABASE_URL: the cluster `make run` keeps under var/postgres
# (mipres/lib/pgtemp.py starts it and stops it).
_PREPARE_THRESHOLD = env("DATABASE_PREPARE_THRESHOLD", default="5")


def _database(url: str) -> dict:
    database = environ.Env.db_url_config(url)
    # Persistent connections: without them a one-query page is ~6x slower (docs/benchmarks.md).
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    database["CONN_HEALTH_CHECKS"] = True
    # Off behind PgBouncer in transaction mode: a named cursor (`.iterator()` in the exports)
    # lives in its session, which transaction pooling does not keep (docs/scaling.md).
    database["DISABLE_SERVER_SIDE_CURSORS"] = not env.bool(
        "DATABASE_SERVER_SIDE_CURSORS", default=True
    )
    options = database.setdefault("OPTIONS", {})
    # psycopg 3 binds parameters on the server and prepares a statement once it has run
    # `prepare_threshold` times on a connection (psycopg's default, 5). An empty
    # DATABASE_PREPARE_THRESHOLD prepares nothing: for PgBouncer before 1.21 in transaction
    # mode (docs/scaling.md). A prepared statement is planned once per connection: without
    # force_generic_plan, PostgreSQL plans a statement with parameters again on every
    # execution whenever its generic plan looks costlier than the first custom ones (the
    # worklists' pages and the timeline did, 0.5-1 ms each time). A generic plan does not
    # know how selective a parameter is, so for a keyset page (ORDER BY id LIMIT 51) it may
    # start two parallel workers, ~15 ms each time, to read 51 rows (the FHIR request page
    # did at 1M lines): a web request never gets parallel workers. Nor JIT compilation: it
    # starts when a plan's estimated cost passes jit_above_cost, and a generic plan's
    # estimate for a keyset page counts every row it may read, not the 26 it stops at. At 10M
    # deliverables «Por direccionar» compiled 69 functions on every execution, 43 ms for a
    # query that runs in 2 ms.
    options["server_side_binding"] = True
    options["prepare_threshold"] = int(_PREPARE_THRESHOLD) if _PREPARE_THRESHOLD else None
    session = (
        "-c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0 -c jit=off"
    )
    options["options"] = " ".join(filter(None, [options.get("options"), session]))
    return database


# The application connects as a role that owns nothing and may only read and append to the
# audit trail; `manage.py migrate` runs as the owner (DATABASE_OWNER_URL) and grants it the
# rest (entities/db_roles.py, docs/database-roles.md). Without DATABASE_URL, make run's
# cluster: its superuser migrates, the application is APP_ROLE.
DATABASES = {"default": _database(env("DATABASE_URL", default=local_database_url(APP_ROLE)))}
DATABASE_OWNER_URL = env(
    "DATABASE_OWNER_URL", default="" if env("DATABASE_URL", default="") else local_database_url()
)
# A streaming replica answers the reads the code marks (mipres/db.py, docs/scaling.md §4):
# not inside a transaction, not for a session that wrote in the last REPLICA_PIN_SECONDS, not
# while it lags more than REPLICA_MAX_LAG_SECONDS or is down (checked every
# REPLICA_CHECK_SECONDS per process).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = _database(env("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["OPTIONS"]["connect_timeout"] = 2
DATABASE_ROUTERS = ["mipres.db.ReplicaRouter"]
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
# Seconds a worklist's, timeline's or consulta's rows stay in the cache for the entity's
# other users (mipres.db.shared_read): the age a replica read may have. 0 reads every time.
SHARED_READ_SECONDS = env.float("SHARED_READ_SECONDS", default=REPLICA_MAX_LAG_SECONDS)
# The default cache holds the sessions (cached_db), the request user with their roles
# (accounts.backends) and the rate-limit counters. With REDIS_URL it is Redis, shared by every
# app server (docs/scaling.md §3); a Redis that is down or restarting answers as an empty
# cache (mipres/cache.py): sessions are read from the database. Without it, each process's
# memory (`make run`, tests).
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "mipres.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        # A stopped Redis refuses at once; a hung one must not hold a request for long.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Seconds the request user with their roles stays cached without a change to forget it.
USER_CACHE_SECONDS = env.int("USER_CACHE_SECONDS", default=300)
# Seconds a web-service token's caller stays cached without a change to forget it.
TOKEN_CACHE_SECONDS = env.int("TOKEN_CACHE_SECONDS", default=300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the user and their active roles cached (accounts/backends.py).
    "accounts.backends.UserBackend",
]
# Sessions in the default cache, written through to the database (which outlives the cache).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

# Failed logins (accounts/login_attempts.py): an address is locked out after
# AXES_FAILURE_LIMIT failures on any accounts, for AXES_COOLOFF_MINUTES; an account with
# LOGIN_ACCOUNT_SLOWDOWN_AFTER recent failures from anywhere is slowed down (one attempt
# every LOGIN_ACCOUNT_DELAY_SECONDS), never locked. The client's address is the proxy's
# last X-Forwarded-For hop only when BEHIND_TLS_PROXY says so.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_HANDLER = "accounts.login_attempts.LoginAttemptHandler"
AXES_LOCKOUT_CALLABLE = "accounts.login_attempts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mipres.lib.request_context.request_client_ip"
AXES_USERNAME_CALLABLE = "accounts.forms.login_name_from_request"
# A success from an address must not wipe the failures others made from it.
AXES_RESET_ON_SUCCESS = False
# A refused attempt is not a failure: hammering a slowed account does not extend its wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_ACCOUNT_SLOWDOWN_AFTER = env.int("LOGIN_ACCOUNT_SLOWDOWN_AFTER", default=5)
LOGIN_ACCOUNT_DELAY_SECONDS = env.int("LOGIN_ACCOUNT_DELAY_SECONDS", default=30)

LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español (Colombia)")]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or LOCAL_HTTP
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or LOCAL_HTTP

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email goes through Django's mail framework: printed to the console while developing
# (`make run`), sent by SMTP otherwise.
EMAIL_BACKEND_PATH: str = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG or LOCAL_HTTP
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env("EMAIL_HOST", default="localhost"),
    "port": env.int("EMAIL_PORT", default=25),
    "username": env("EMAIL_HOST_USER", default=""),
    "password": env("EMAIL_HOST_PASSWORD", default=""),
    "use_tls": env.bool("EMAIL_USE_TLS", default=False),
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": _SMTP_OPTIONS if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MIPRES abierto <no-responder@mipres.local>")

# Background tasks (django.tasks) stored in PostgreSQL and run by `manage.py db_worker`
# (README «Tareas en segundo plano»). TASKS_BACKEND=django.tasks.backends.immediate.
# ImmediateBackend runs them inline instead.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail", "exports", "imports", "periodic"],
    }
}
# A task waiting longer than this means no worker is running: pages say so.
TASKS_STALL_SECONDS = env.int("TASKS_STALL_SECONDS", default=30)
# Exports with more rows than this are prepared by a task and offered as a download link.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=5000)

# National registries mirrored here (docs/registries.md): a deployment plugs the real RETHUS
# and REPS services by naming its own adapter classes.
RETHUS_ADAPTER = env("RETHUS_ADAPTER", default="accounts.registries.MirrorRethusAdapter")
REPS_ADAPTER = env("REPS_ADAPTER", default="accounts.registries.MirrorProviderRegistryAdapter")
RETHUS_LOOKUPS_PER_MINUTE = env.int("RETHUS_LOOKUPS_PER_MINUTE", default=20)
# The national patient lookup by document: lookups per minute per user (each one audited).
PATIENT_LOOKUPS_PER_MINUTE = env.int("PATIENT_LOOKUPS_PER_MINUTE", default=30)

# The support desk (mesa de ayuda) as the Ministry publishes it (seeds 000/001).
SUPPORT = {
    "phone_bogota": env("SUPPORT_PHONE_BOGOTA", default="(57-1) 5893750 opción 4"),
    "phone_national": env("SUPPORT_PHONE_NATIONAL", default="01800960020 opción 4"),
    "email": env("SUPPORT_EMAIL", default="soporteprescripcion1328@minsalud.gov.co"),
    # Lines separated by ";".
    "hours": env(
        "SUPPORT_HOURS",
        default="De lunes a viernes de 7:00 a.m. a 6:00 p.m.;"
        "Sábados de 8:00 a.m. a 1:00 p.m. jornada continua",
    ).split(";"),
}

# The patient's page (/paciente/): the one-time code also goes by SMS when the patient has a
# phone; the backend prints it to the console unless a deployment names its own gateway's
# class (patients/sms.py). Minutes a patient's session lasts after the code.
PATIENT_SMS_BACKEND = env("PATIENT_SMS_BACKEND", default="patients.sms.ConsoleBackend")
PATIENT_SESSION_MINUTES = env.int("PATIENT_SESSION_MINUTES", default=30)

# Behind our TLS proxy: trust its X-Forwarded-Proto (DEBUG off) and its last
# X-Forwarded-For hop as the client's address (audit trail, rate limits, login lockout).
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)

# With DEBUG off, the secure settings are on (`manage.py check --deploy` is clean), except
# on make run's plain-http localhost (LOCAL_HTTP).
if not DEBUG and not LOCAL_HTTP:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django's own, django.middleware.csp): scripts only from our
# static files, never inline (the templates have none; STYLE R20); inline style attributes
# stay allowed. Bootstrap's CSS draws its icons as data: images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Powerful browser features no page uses (mipres.lib.security).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)
# A session ends after this many minutes without a request (mipres.lib.security).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# Request size: the largest real form is a prescription of 50 medicine lines with four active
# ingredients each (~1,550 fields, well under 1 MiB); anything bigger is refused with a 400
# before a form is built. Every formset also caps its forms (max_num/absolute_max).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Web-service tokens travel in the URL path: mask them in every request log line.
    "filters": {
        "mask_ws_tokens": {"()": "webservices.logging.MaskTokensFilter"},
        # An ordinary 403/404 is one warning line, without a traceback.
        "client_error_without_traceback": {"()": "mipres.lib.security.ClientErrorWithoutTraceback"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_ws_tokens"]},
        # Django's own runserver handler, redefined here only to add the filter.
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_ws_tokens"],
        },
    },
    "loggers": {
        "django.request": {"filters": ["mask_ws_tokens", "client_error_without_traceback"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Web services (issue 6, DESIGN §5): DRF only parses and renders JSON; authentication is the
# token in the path (webservices.auth), so DRF's own is off.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "webservices.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MIPRES abierto – servicios web",
    "DESCRIPTION": (
        "Reimplementación del contrato de los servicios web de MIPRES (WSSUMMIPRESNOPBS, "
        "WSFACMIPRESNOPBS, WSMIPRESNOPBS). Las rutas no distinguen mayúsculas."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Web-service requests per minute per credential (GUID and its tokens), counted after
# authentication (429 with Retry-After beyond). Failed authentications have their own
# limits per client address and, higher, per NIT, and never count against a valid caller.
WS_RATE_LIMIT_PER_MINUTE = env.int("WS_RATE_LIMIT_PER_MINUTE", default=600)
WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS = env.int(
    "WS_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS", default=30
)
WS_AUTH_FAILURES_PER_MINUTE_PER_NIT = env.int("WS_AUTH_FAILURES_PER_MINUTE_PER_NIT", default=300)
# Plausibility of a prescription (prescriptions/services/plausibility.py,
# docs/prescribing-safety.md): (soft, hard) bounds. Above the soft one the prescriber
# confirms; above the hard one the line is refused. Total quantity per technology type
# (M, P, D, N, S) in the line's units; duration in days per tipo de prestación
# (research/mipres-domain.md §3.6: a first prescription covers about 3 months, more than a
# year must be sucesiva). Issuing
# also asks to confirm the same technology prescribed to the same patient by the same
# prescriber within `duplicate_days`.
PRESCRIPTION_LIMITS = {
    "quantity": {
        "M": (1000, 10000),
        "P": (100, 1000),
        "D": (100, 1000),
        "N": (1000, 10000),
        "S": (1500, 10000),
    },
    "unica_days": (90, 365),
    "sucesiva_days": (365, 1825),
    "duplicate_days": 30,
}
