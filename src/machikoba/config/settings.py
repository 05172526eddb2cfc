"""Settings, read from the environment (see .env.example for every variable).

Defaults give the embedded demo set-up: SQLite and local media files under
``var/``. ``MACHIKOBA_ENV=production`` turns on the production checks: it refuses
to start without SECRET_KEY and ALLOWED_HOSTS and enables the secure-cookie,
HSTS and SSL-redirect settings that ``manage.py check --deploy`` asks for.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = SRC_DIR.parent

env = environ.Env()
env_file = env.str("MACHIKOBA_ENV_FILE", default="") or str(BASE_DIR / ".env")
if Path(env_file).is_file():
    environ.Env.read_env(env_file)

ENVIRONMENT = env.str("MACHIKOBA_ENV", default="development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured("MACHIKOBA_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=False)


def project_path(value: str) -> Path:
    """Relative paths in the environment are taken from the project root, not the cwd."""
    path = Path(value)
    return path if path.is_absolute() else BASE_DIR / path


VAR_DIR = project_path(env.str("MACHIKOBA_VAR_DIR", default="var"))

if PRODUCTION:
    # No fallback secrets in production: fail loudly instead of running insecurely.
    if not env.str("SECRET_KEY", default=""):
        raise ImproperlyConfigured("SECRET_KEY must be set when MACHIKOBA_ENV=production")
    if not env.list("ALLOWED_HOSTS", default=[]):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when MACHIKOBA_ENV=production")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when MACHIKOBA_ENV=production")
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    # A per-checkout key for development and demo only; production never reads this file.
    _dev_key_file = VAR_DIR / "dev-secret-key"
    if env.str("SECRET_KEY", default=""):
        SECRET_KEY = env.str("SECRET_KEY")
    else:
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        if not _dev_key_file.exists():
            _dev_key_file.write_text(get_random_secret_key())
        SECRET_KEY = _dev_key_file.read_text().strip()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "machikoba.core",
    "machikoba.wards",
    "machikoba.accounts",
    "machikoba.companies",
    "machikoba.apitokens",
    "machikoba.drawings",
    "machikoba.network",
    "machikoba.board",
    "machikoba.messaging",
    "machikoba.telemetry",
    "machikoba.shopfloor",
    "machikoba.programs",
    "machikoba.advisory",
    "machikoba.subsidies",
    "machikoba.lab",
    "machikoba.kpi",
    "machikoba.backups",
    "machikoba.ops",
    "machikoba.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # GビズID sign-in (the GビズID block below; docs/gbizid.md).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "rules",
    "ninja",
    "django_htmx",
    "csp",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every request gets its id (X-Request-ID), an access-log line and its metrics,
    # redirects and refusals by the middleware below included (ops/middleware.py).
    "machikoba.ops.middleware.RequestContextMiddleware",
    # A 500 caused by the database being away or a full disk becomes a clean 503 / 507
    # (core/outages.py, docs/drills.md).
    "machikoba.core.outages.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "machikoba.web.locale.JapaneseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "machikoba.companies.middleware.ActiveCompanyMiddleware",
    "machikoba.apitokens.middleware.ApiGuardMiddleware",
    "machikoba.accounts.middleware.RequireMFAMiddleware",
    "machikoba.core.middleware.ApplicationErrorMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "machikoba.config.urls"
WSGI_APPLICATION = "machikoba.config.wsgi.application"
ASGI_APPLICATION = "machikoba.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "machikoba.web.context_processors.shell",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'machikoba.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = str(project_path(DATABASES["default"]["NAME"]))
    # A file (not :memory:) test database, so a separate task-worker process sees it;
    # one per test process, so two runs in one checkout do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-machikoba-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    # One test database per test process, so runs sharing a server do not collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Short OLTP queries: JIT compiling a plan costs more (~150 ms on a directory search)
    # than it saves; and the data sits in RAM or on SSD, where a random read costs about a
    # sequential one (with 4, the default for spinning disks, a directory page hashed all
    # 30,000 companies to read 20 companies' capabilities). See bench/README.md.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = (
        _pg_options.get("options", "")
        + " "
        + env.str("DATABASE_PG_OPTIONS", default="-c jit=off -c random_page_cost=1.1")
    ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://machikoba")}
if PRODUCTION and CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Used TOTP codes and rate limits must be shared by every app-server process.
    raise ImproperlyConfigured(
        "CACHE_URL must name a shared cache (e.g. redis://127.0.0.1:6379/1) in production"
    )

# --- auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
# Shops join by themselves (companies/services_join.py): sign-up is open unless a ward
# closes it.
ACCOUNT_ALLOW_SIGNUPS = env.bool("ACCOUNT_ALLOW_SIGNUPS", default=True)
ACCOUNT_ADAPTER = "machikoba.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Failed passwords lock the account through django-axes (AXES_FAILURE_LIMIT, one clear
# message). allauth's login_failed limit stays, set above the axes limit, because it
# also throttles wrong TOTP codes (10 per 5 minutes per account) and floods from one IP.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,10/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="machikoba")
# Accept the code of the 30-second step before and after the current one (RFC 6238 §5.2):
# phone clocks drift and people type slowly. Each code still works only once.
MFA_TOTP_TOLERANCE = 1

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Lock the account (whatever the IP): guessing from many addresses must not get round it.
# Not the IP as well: a ward office or a shop shares one address behind NAT, and one
# person's typos must not lock out colleagues. Floods from one address are throttled by
# allauth's login_failed rate limit (ACCOUNT_RATE_LIMITS) instead, hence axes.W006 is off.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "machikoba.accounts.lockout.username_of_attempt"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The client's address comes from one place, core.views.client_ip (see
# MACHIKOBA_TRUSTED_PROXY_COUNT below); axes would otherwise log the proxy's address.
AXES_CLIENT_IP_CALLABLE = "machikoba.core.views.client_ip"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)

# --- i18n ---------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
# Overridable so the translation check can extract into a scratch copy.
LOCALE_PATHS = [project_path(env.str("MACHIKOBA_LOCALE_DIR", default="src/machikoba/locale"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- static and media -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = project_path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = project_path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (drawings, photos): local folder by default, S3-compatible object
# storage (AWS S3, MinIO, Ceph RGW …) with FILE_STORAGE=s3. Objects stay private: every
# file is read by the server and handed out through a view that checks access.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
if FILE_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("FILE_STORAGE must be 'local' or 's3'.")
if FILE_STORAGE == "s3":
    DEFAULT_FILE_STORAGE_SPEC = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    # Removes a half-written file when the disk fills (core/storage.py).
    DEFAULT_FILE_STORAGE_SPEC = {"BACKEND": "machikoba.core.storage.CleanFileSystemStorage"}
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_SPEC,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- background tasks -----------------------------------------------------------
# API requests per minute per caller (token, person, or client address when anonymous),
# counted in the shared cache (apitokens/middleware.py).
API_RATE_LIMITS = {
    "read": env.int("API_RATE_LIMIT_READ", default=600),
    "write": env.int("API_RATE_LIMIT_WRITE", default=120),
    "anonymous": env.int("API_RATE_LIMIT_ANONYMOUS", default=60),
}

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail", "planning"],
    }
}

# A worker refreshes its heartbeat this often; a task whose worker's heartbeat is older
# than the lease is queued again (core/task_recovery.py, docs/drills.md), at most this many
# runs in all.
MACHIKOBA_TASK_HEARTBEAT_SECONDS = env.float("TASK_HEARTBEAT_SECONDS", default=5.0)
MACHIKOBA_TASK_LEASE_SECONDS = env.float("TASK_LEASE_SECONDS", default=30.0)
MACHIKOBA_TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)

# Periodic tasks queued by `manage.py run_scheduler`: name → (task, interval in seconds).
PERIODIC_TASKS = {
    "apitokens.purge_idempotency_records": (
        "machikoba.apitokens.tasks.purge_idempotency_records",
        3600,
    ),
    "drawings.purge_due_documents": (
        "machikoba.drawings.tasks.purge_due_documents",
        env.int("RETENTION_PURGE_INTERVAL", default=3600),
    ),
    "network.notify_late_steps": ("machikoba.network.tasks.notify_late_steps", 3600),
    "messaging.send_message_digests": (
        "machikoba.messaging.tasks.send_message_digests",
        env.int("MESSAGE_DIGEST_INTERVAL", default=900),
    ),
    "companies.remind_stale_profiles": (
        "machikoba.companies.tasks.remind_stale_profiles",
        24 * 3600,
    ),
    "programs.remind_follow_ups": ("machikoba.programs.tasks.remind_follow_ups", 3600),
    "lab.close_past_bookings": ("machikoba.lab.tasks_bookings.close_past_bookings", 300),
    "lab.expire_waitlist_offers": ("machikoba.lab.tasks_bookings.expire_waitlist_offers", 300),
    "lab.auto_check_out": ("machikoba.lab.tasks_visits.auto_check_out", 15 * 60),
    "lab.end_due_trials": ("machikoba.lab.tasks_vendors.end_due_trials", 3600),
    "lab.event_mailings": ("machikoba.lab.tasks_events.event_mailings", 3600),
    "lab.ask_matching_follow_ups": (
        "machikoba.lab.tasks_ecosystem.ask_matching_follow_ups",
        3600,
    ),
    "subsidies.value_added_reports": ("machikoba.subsidies.tasks.value_added_reports", 3600),
    "kpi.snapshots": ("machikoba.kpi.tasks.kpi_snapshots", 24 * 3600),
    "kpi.survey_reminders": ("machikoba.kpi.tasks.kpi_survey_reminders", 3600),
}

# --- e-mail: every message is queued and delivered by the task worker ------------
EMAIL_BACKEND = "machikoba.core.mail.QueuedEmailBackend"
# The address people reach the platform at, for links in e-mails.
MACHIKOBA_SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
MACHIKOBA_EMAIL_DELIVERY_BACKEND = env.str(
    "EMAIL_DELIVERY_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = str(project_path(env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="machikoba <noreply@machikoba.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- the municipalities running this instance --------------------------------------
# The platform's name in the header; each ward's own pages name the ward (wards app).
MACHIKOBA_PLATFORM_NAME = env.str("PLATFORM_NAME", default="東京都特別区 町工場DXプラットフォーム")
MACHIKOBA_PLATFORM_NAME_EN = env.str(
    "PLATFORM_NAME_EN", default="Tokyo Special Wards Machikoba DX Platform"
)
# Whether visitors who are not signed in may browse the directory (names, processes,
# municipalities; never contacts of people). Members always may.
MACHIKOBA_DIRECTORY_PUBLIC = env.bool("DIRECTORY_PUBLIC", default=True)
# A CSV (postal_code, latitude, longitude) of the ward's postal-code areas, used to
# place companies that have not set a position on the map.
MACHIKOBA_POSTAL_POINTS_FILE = env.str("POSTAL_POINTS_FILE", default="")
# Largest company photo accepted (bytes); photos are re-encoded to ≤ 1600 px JPEG.
MACHIKOBA_MAX_PHOTO_BYTES = env.int("MAX_PHOTO_BYTES", default=10_000_000)
# Drawings: largest file and most PDF pages accepted.
MACHIKOBA_DRAWING_MAX_BYTES = env.int("DRAWING_MAX_BYTES", default=200_000_000)
MACHIKOBA_DRAWING_MAX_PAGES = env.int("DRAWING_MAX_PAGES", default=300)
# One-time RFQ links for shops without an account (e-mail / FAX): valid until the RFQ's
# deadline, but never longer than this many days.
MACHIKOBA_GUEST_LINK_DAYS = env.int("GUEST_LINK_DAYS", default=14)
# Links sent by e-mail in a rolling 24 hours: at most this many from one company, and to
# one address (the link form must not become a way to mail anyone, any number of times).
MACHIKOBA_GUEST_LINK_EMAILS_PER_COMPANY_DAY = env.int(
    "GUEST_LINK_EMAILS_PER_COMPANY_DAY", default=30
)
MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY = env.int(
    "GUEST_LINK_EMAILS_PER_ADDRESS_DAY", default=3
)
# Requests for a company's first account (docs/guest-links.md): how long the mailed
# confirmation link works, and how many requests one company may get in 24 hours.
MACHIKOBA_CLAIM_LINK_HOURS = env.int("CLAIM_LINK_HOURS", default=72)
# Where verification codes for a phone number go (core/sms.py): "file" (var/sms/) until
# the ward's SMS gateway is plugged in; tests use "locmem".
MACHIKOBA_SMS_BACKEND = env.str("SMS_BACKEND", default="file")
MACHIKOBA_CLAIM_REQUESTS_PER_COMPANY_DAY = env.int("CLAIM_REQUESTS_PER_COMPANY_DAY", default=3)
# Previews render in a child process with these limits; past them the preview fails with
# a reason instead of holding the worker.
MACHIKOBA_DRAWING_RENDER_SECONDS = env.int("DRAWING_RENDER_SECONDS", default=600)
MACHIKOBA_DRAWING_RENDER_MEMORY_MB = env.int("DRAWING_RENDER_MEMORY_MB", default=3072)
# Machine schedules: the most operations (pieces of steps) one plan may hold, how many
# days ahead it reaches, and the solver threads a plan uses.
MACHIKOBA_SCHEDULE_MAX_OPERATIONS = env.int("SCHEDULE_MAX_OPERATIONS", default=1500)
MACHIKOBA_SCHEDULE_HORIZON_DAYS = env.int("SCHEDULE_HORIZON_DAYS", default=90)
MACHIKOBA_SCHEDULE_WORKERS = env.int("SCHEDULE_WORKERS", default=2)
# A deactivated company's people may still read (and download) its own records for this
# many days after its deactivation; they can change nothing. After that: nothing.
MACHIKOBA_DEACTIVATED_READ_DAYS = env.int("DEACTIVATED_READ_DAYS", default=30)
# A request body without its files (form fields) above this is refused by Django
# (RequestDataTooBig); files do not count.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
# An uploaded file above this is spooled to a temporary file instead of memory; it refuses
# nothing. File sizes are limited while the body streams in, per view, by
# core.uploads.limit_upload_size (drawings, attachments, company photos, company import).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000

# --- machine monitoring: the telemetry collector (docs/telemetry.md) --------------------
# The MQTT broker `manage.py telemetry_collect` subscribes to: mqtt://host:port or
# mqtts://host:port (TLS), user:password@ allowed. (MACHIKOBA_MQTT_URL is read too.)
MACHIKOBA_MQTT_URL = env.str(
    "MQTT_URL", default=env.str("MACHIKOBA_MQTT_URL", default="mqtt://127.0.0.1:1883")
)
# The shared-subscription group the collector processes split the messages in
# ($share/<group>/machikoba/v1/+/+).
MACHIKOBA_MQTT_GROUP = env.str("MQTT_GROUP", default="machikoba-collectors")
# A collector's MQTT client id when --client-id is not given (default
# machikoba-collector-<host name>). Stable across restarts: the broker keeps the session
# and its unacknowledged messages under it. Two collectors never share one.
MACHIKOBA_MQTT_CLIENT_ID = env.str("MQTT_CLIENT_ID", default="")
# Seconds the broker keeps a stopped collector's session, and queues its share of the
# messages for it; a collector away longer than this loses them.
MACHIKOBA_MQTT_SESSION_EXPIRY = env.int("MQTT_SESSION_EXPIRY", default=86400)
# Messages the broker may have sent a collector and not yet had acknowledged (MQTT v5
# Receive Maximum): room for a batch being written and the next one filling.
MACHIKOBA_MQTT_RECEIVE_MAXIMUM = env.int("MQTT_RECEIVE_MAXIMUM", default=3000)
# Receive MQTT in a process of its own (telemetry/collector/mqtt_process.py): the
# collector then uses two cores, reading and writing at once.
MACHIKOBA_MQTT_PROCESS = env.bool("MQTT_PROCESS", default=True)
# Per device: messages a second on average and at once; more are refused (counted).
MACHIKOBA_TELEMETRY_RATE = env.float("TELEMETRY_RATE", default=20.0)
MACHIKOBA_TELEMETRY_BURST = env.float("TELEMETRY_BURST", default=100.0)
# The collector's writer: most messages in one transaction, and milliseconds it waits to
# fill one.
MACHIKOBA_TELEMETRY_BATCH_SIZE = env.int("TELEMETRY_BATCH_SIZE", default=2000)
MACHIKOBA_TELEMETRY_BATCH_MS = env.int("TELEMETRY_BATCH_MS", default=200)

# --- security -------------------------------------------------------------------
# Reverse proxies in front of the app (1 behind the documented nginx), each appending
# the address it was connected from to X-Forwarded-For. Rate limits (sign-in, one-time
# links) and audit records key on the address core.views.client_ip reads with it; 0
# ignores the header. AXES_PROXY_COUNT is its former name, still read.
MACHIKOBA_TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0)
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp), enforced everywhere, development included, so a
# template that needs an inline script or style fails in tests, not in production.
# Scripts and styles come only from our static files: no inline <script>, no on*=
# handlers, no style="" attributes (templates carry data-* attributes that
# web/static/machikoba/js/page.js turns into CSSOM styles), no eval (Alpine's CSP build,
# htmx with allowEval/allowScriptTags off). Images: our own, plus data: for allauth's
# TOTP QR code and blob: for pictures made in the browser. Violations are logged by
# web.csp_reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    },
}

# --- GビズID sign-in (docs/gbizid.md) ----------------------------------------------------
# Company owners may sign in with GビズID, the business ID jGrants uses, through allauth's
# OpenID Connect provider (app id "gbizid"). Off unless all three of GBIZID_SERVER_URL (the
# issuer, e.g. https://gbiz-id.go.jp/oauth/), GBIZID_CLIENT_ID and GBIZID_CLIENT_SECRET are
# set: then the sign-in page shows 「GビズIDでログイン」 and 「ログインの安全設定」 offers to
# connect one. A GビズID signs in only the account whose signed-in owner connected it; it
# never creates an account, and the e-mail it carries never matches an existing one
# (SOCIALACCOUNT_EMAIL_AUTHENTICATION off; accounts/oidc/adapter.py says why). The provider
# class (accounts/oidc) checks every id_token's signature and nonce; PKCE is on. Officers
# and admins still give their TOTP code after a GビズID sign-in.
GBIZID_SERVER_URL = env.str("GBIZID_SERVER_URL", default="")
GBIZID_CLIENT_ID = env.str("GBIZID_CLIENT_ID", default="")
GBIZID_CLIENT_SECRET = env.str("GBIZID_CLIENT_SECRET", default="")
GBIZID_ENABLED = all((GBIZID_SERVER_URL, GBIZID_CLIENT_ID, GBIZID_CLIENT_SECRET))
if not GBIZID_ENABLED and any((GBIZID_SERVER_URL, GBIZID_CLIENT_ID, GBIZID_CLIENT_SECRET)):
    raise ImproperlyConfigured(
        "GBIZID_SERVER_URL, GBIZID_CLIENT_ID and GBIZID_CLIENT_SECRET must be set together "
        "(docs/gbizid.md)"
    )
if PRODUCTION and GBIZID_ENABLED and not GBIZID_SERVER_URL.startswith("https://"):
    raise ImproperlyConfigured("GBIZID_SERVER_URL must be an https:// address in production")
_gbizid_app = {
    "provider_id": "gbizid",
    "name": "GビズID",
    "client_id": GBIZID_CLIENT_ID,
    "secret": GBIZID_CLIENT_SECRET,
    "settings": {
        # Discovery is read from <issuer>/.well-known/openid-configuration.
        "server_url": GBIZID_SERVER_URL.rstrip("/"),
        # GビズID's id_token names nobody: the claims come from its userinfo.
        "fetch_userinfo": True,
        "scope": env.list("GBIZID_SCOPE", default=[]) or ["openid", "profile", "email"],
        "token_auth_method": env.str("GBIZID_TOKEN_AUTH_METHOD", default="client_secret_basic"),
    },
}
SOCIALACCOUNT_ADAPTER = "machikoba.accounts.oidc.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "machikoba.accounts.oidc.provider.StrictOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [_gbizid_app] if GBIZID_ENABLED else [],
    }
}
# GビズID's claim names and account-type codes (accounts/gbizid.py has the defaults, from
# GビズID's guideline for connected systems); set a key here only if GビズID changes one.
MACHIKOBA_GBIZID_CLAIMS: dict[str, object] = {}
if GBIZID_ENABLED:
    # The 「GビズIDでログイン」 form posts here and is redirected to GビズID's authorization
    # endpoint: form-action must allow that origin (browsers check it on the redirect too).
    _gbizid_url = urlsplit(GBIZID_SERVER_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
        SELF,
        f"{_gbizid_url.scheme}://{_gbizid_url.netloc}",
    ]

# --- operations: logs, readiness, metrics (docs/deployment.md, "Monitoring") ---------
# "text" (the demo: bare messages) or "json" (production: one JSON object a line, with the
# request id, or the task id in the task worker; ops/logging.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
# Who may read /metrics: clients at these addresses or networks (as core.views.client_ip
# sees them), or a request with "Authorization: Bearer <METRICS_TOKEN>" (empty: no token).
# Anyone else gets a 404.
MACHIKOBA_METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
MACHIKOBA_METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "machikoba.ops.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "machikoba.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One line per request (ops/middleware.py); off in the text format, where runserver
        # prints its own.
        "machikoba.access": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        "axes": {"level": "WARNING"},
        # asyncua logs every dropped OPC UA session as an error with a traceback; the
        # collector reports the drop itself (once, in words) and reconnects.
        "asyncua": {"level": "WARNING"},
        "asyncua.client.ua_session": {"level": "CRITICAL"},
    },
}
