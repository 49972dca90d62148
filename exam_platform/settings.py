"""Settings for every mode, read from the environment.

Two independent axes (docs/operations.md, "Runtime modes"):
- ``APP_ENV`` (dev | demo | production) says what the deployment is for;
- ``DATABASE_URL`` / ``REDIS_URL`` choose the runtime: without them the embedded mode
  (SQLite + in-memory channel layer + local-memory cache), with them the scale-out mode
  (PostgreSQL + channels_redis + Redis cache).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

APP_ENV = env.str("APP_ENV", default="dev")
if APP_ENV not in {"dev", "demo", "production"}:
    raise ImproperlyConfigured(f"APP_ENV must be dev, demo or production, not {APP_ENV!r}")
IS_PRODUCTION = APP_ENV == "production"
IS_DEMO = APP_ENV == "demo"

# Where dev/demo keep their generated secrets (SECRET_KEY, demo password). Ignored by git.
LOCAL_SECRETS_FILE = Path(env.str("LOCAL_SECRETS_FILE", default=str(BASE_DIR / ".local-secrets.env")))


def _local_secret(name: str) -> str:
    """Return a secret kept in the ignored local file, generating it on first use."""
    values: dict[str, str] = {}
    if LOCAL_SECRETS_FILE.exists():
        for line in LOCAL_SECRETS_FILE.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    if name not in values:
        values[name] = secrets.token_urlsafe(48 if name == "SECRET_KEY" else 9)
        LOCAL_SECRETS_FILE.write_text(
            "".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8"
        )
        LOCAL_SECRETS_FILE.chmod(0o600)
    return values[name]


if IS_PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set (at least 50 characters) when APP_ENV=production.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when APP_ENV=production.")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env.bool("DEBUG", default=APP_ENV == "dev")

# One password for every demo account, generated per install and kept in the local secrets file.
DEMO_PASSWORD = "" if IS_PRODUCTION else _local_secret("DEMO_PASSWORD")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "exams",
    "courses",
    "contests",
    # A self-hosted captcha on the contest's sign-up (docs/contests.md, "Signing up"); after our apps, whose
    # templates override its widget's.
    "captcha",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: every response Django writes carries the policy (static files need none).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "exam_platform.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "exam_platform.middleware.PlainTextInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and messages: the exam-room scope and the staff's second factor (exam_platform/access.py).
    "exam_platform.middleware.AccessMiddleware",
]

ROOT_URLCONF = "exam_platform.urls"
ASGI_APPLICATION = "exam_platform.asgi.application"
# Threads that run requests' synchronous code (exam_platform/lanes.py): few, long-lived, each with its own
# database connection; a slow request holds up only its lane.
HTTP_SYNC_LANES = env.int("HTTP_SYNC_LANES", default=2)
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "exam_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "exam_platform.context_processors.platform",
            ],
        },
    },
]

# --- Database, cache, channel layer: chosen only by DATABASE_URL / REDIS_URL -------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
SQLITE_PATH = Path(env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")))

if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
    # psycopg 3 with Django's own pool: persistent connections without CONN_MAX_AGE.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=20),
        "timeout": 10,
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Persistent connections: reopening re-runs the PRAGMAs on every consumer call (docs/operations.md, "Known traps").
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Writers take the lock when the transaction starts: no "database is locked" on
                # read-then-write (docs/operations.md, "Known traps").
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # FULL: an acknowledged answer survives a power cut (docs/operations.md, "Durability").
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": env.str("SQLITE_TEST_PATH", default=str(BASE_DIR / ".test-db.sqlite3"))},
        }
    }

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="exam_platform"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, exactly channels_redis's 5 s BZPOPMIN:
                # every idle page's consumer would die with "Timeout reading from …". Reads wait longer than that.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}],
                "prefix": env.str("CHANNELS_PREFIX", default="exam_platform"),
            },
        }
    }
else:
    # One process in the embedded mode: its memory is the cache. Sized for an exam day (a session and a cached
    # paper body per candidate), not the 300 entries of Django's default.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": env.int("LOCAL_CACHE_ENTRIES", default=50_000)}}}
    # channels' in-memory layer, minus a clean-up walk over every page on every message (channel_layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "exam_platform.channel_layers.ThrottledCleanupInMemoryChannelLayer"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People and login ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Answers the model permissions from what is remembered between requests (and fills the user's own cache, so
    # ModelBackend after it asks nothing); it signs nobody in, so the sessions ModelBackend signed in stay valid.
    "accounts.grants.RememberedModelBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "exams.examday.auth.ExamCredentialBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Keyed per account (login_failed: the account the login names, by username or email: accounts/adapter.py); the
# per-address limits are sized for an exam room of 200 people behind one NAT address (docs/operations.md,
# "Known traps"), so they only stop a runaway script.
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    "login_failed": "600/m/ip,5/300s/key",
    "reset_password": "200/m/ip,5/m/key",
    "reset_password_from_key": "200/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # A contest's sign-up, per address: a commune office signing its citizens up stays below it, a script does not.
    "signup": env.str("SIGNUP_RATE_LIMIT", default="30/m/ip,300/h/ip"),
}
# The sign-up's captcha (django-simple-captcha: drawn here, no outside service): five characters, ten minutes, one try.
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10
CAPTCHA_FONT_SIZE = 30
CAPTCHA_2X_IMAGE = False
# A contest participant's session lives until a week after the last round of their contests closes, never longer
# than this many days from signing in (accounts/session_life.py).
CONTEST_SESSION_MAX_DAYS = env.int("CONTEST_SESSION_MAX_DAYS", default=120)
# Requests of one account a minute to a round's pages (joining, the round, the paper, the submit, the result): a phone
# taking a round makes a handful; a script reloading in a loop is stopped (contests/participant_views.py).
CONTEST_REQUESTS_PER_MINUTE = env.int("CONTEST_REQUESTS_PER_MINUTE", default=120)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="exam_platform")
# Staff roles must pass their second factor in each session before staff pages (production only by default).
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=IS_PRODUCTION)
# With it, a staff member's first authenticator also needs an enrolment code (emailed, or printed by HR): the password
# alone must not let whoever holds it bind their own device (accounts/enrolment.py).
MFA_FORMS = {"activate_totp": "accounts.forms.EnrolmentActivateTOTPForm"}
# Setting a first password needs an activation code (accounts/activation.py), also on allauth's page.
# The login form also gives a contest participant's session its long life (accounts/session_life.py).
ACCOUNT_FORMS = {"set_password": "accounts.forms.ActivationSetPasswordForm", "login": "accounts.forms.LoginForm"}
# An activation code (printed by HR, or an emailed link) works once, within this many days.
ACTIVATION_CODE_DAYS = env.int("ACTIVATION_CODE_DAYS", default=7)
# Outgoing mail is said to work only when the operator says so: the console backend of dev and an SMTP server
# nobody configured both "send" without error. Without it HR prints codes and no page offers an emailed link.
OUTGOING_MAIL_ENABLED = env.bool("OUTGOING_MAIL_ENABLED", default=False)
# An exam-room session (exams/candidate/room_scope.py) ends when the appeal window closes, and never later than this many days
# after the exam's last sitting (results not published by then: the person uses their own account).
EXAM_ROOM_SESSION_MAX_DAYS = env.int("EXAM_ROOM_SESSION_MAX_DAYS", default=90)
# Spare papers drawn with a sitting's set, as a share of its candidates (rounded up, at least one).
SPARE_PAPERS_PERCENT = env.int("SPARE_PAPERS_PERCENT", default=5)
# Exam-room login tries (right or wrong) per address and minute: a room of 200 behind one NAT address signing in
# together, typos and all, stays well below; only a runaway script reaches it (exams/examday/services/login.py).
EXAM_LOGIN_ADDRESS_TRIES = env.int("EXAM_LOGIN_ADDRESS_TRIES", default=600)

# --- Exam day ------------------------------------------------------------------------------------------
# Network grace after the deadline during which a save in flight is still accepted (docs/exam-day.md, "Saving answers").
EXAM_SAVE_GRACE_SECONDS = env.int("EXAM_SAVE_GRACE_SECONDS", default=10)
EXAM_MAX_TEXT_ANSWER = env.int("EXAM_MAX_TEXT_ANSWER", default=20000)

# Training (docs/courses.md, "Completion"): which disciplinary levels block the certificate (default: any), and
# the bands read from the rounded average, highest floor first (defaults of Thông tư 01/2018/TT-BNV practice).
COURSE_BLOCKING_DISCIPLINE = env.list("COURSE_BLOCKING_DISCIPLINE", default=["reprimand", "warning", "suspension"])
COURSE_BANDS = [(9, "Xuất sắc"), (8, "Giỏi"), (7, "Khá"), (5, "Trung bình")]
# Self check-in: how long one code lives (it rotates), and how long after it rotates it is still accepted.
COURSE_CHECK_IN_STEP_SECONDS = 15
COURSE_CHECK_IN_GRACE_SECONDS = 5
# Anonymous feedback (docs/courses.md, "Feedback"): a group's comments (a module and lecturer of a class, a module of a
# programme, a lecturer) are shown only once it holds at least this many ratings, so no comment points to the one or
# two learners who rated; below it the page says "hidden until N ratings".
COURSE_FEEDBACK_MIN_GROUP = env.int("COURSE_FEEDBACK_MIN_GROUP", default=3)
# A lesson page's heartbeat (courses/progress.py): its period, the slack one beat may add beyond it, how many beats
# of a process one transaction writes at most, and how long a batch gathers beats after its first (fewer commits:
# bench `courses`, part 3).
COURSE_HEARTBEAT_SECONDS = env.int("COURSE_HEARTBEAT_SECONDS", default=30)
COURSE_HEARTBEAT_SLACK_SECONDS = 15
COURSE_HEARTBEAT_BATCH = 500
COURSE_HEARTBEAT_GATHER_SECONDS = 0.05
# Course tests (docs/courses.md, "Tests on the engine"): practice tries are deleted this many days after they finish
# (manage.py purge_practice, run daily).
COURSE_PRACTICE_KEEP_DAYS = env.int("COURSE_PRACTICE_KEEP_DAYS", default=30)
# The address the QR codes of certificates point at (docs/certificates.md); empty: the address the issuer used.
PUBLIC_SITE_URL = env.str("PUBLIC_SITE_URL", default="")
# The public verification pages' limits per client address (the lookup by serial and birth date is the tight one).
CERTIFICATE_LOOKUP_PER_MINUTE = env.int("CERTIFICATE_LOOKUP_PER_MINUTE", default=10)
CERTIFICATE_VERIFY_PER_MINUTE = env.int("CERTIFICATE_VERIFY_PER_MINUTE", default=60)
# Certificates (courses/certificate_render.py): rendered to PDF after issuing, by a background thread of the process
# that issued them, never in a request. Each batch of this many certificates is one child process (WeasyPrint) held
# to this address space and CPU time; a claim older than STALE seconds (its process died) is taken over.
CERTIFICATE_RENDER_BATCH = 50
CERTIFICATE_RENDER_MEMORY_BYTES = env.int("CERTIFICATE_RENDER_MEMORY_BYTES", default=1024 * 1024 * 1024)
CERTIFICATE_RENDER_CPU_SECONDS = env.int("CERTIFICATE_RENDER_CPU_SECONDS", default=600)
CERTIFICATE_RENDER_STALE_SECONDS = 600
# Group commit: at most this many websocket saves share one transaction (each acknowledged after it commits).
EXAM_SAVE_BATCH = env.int("EXAM_SAVE_BATCH", default=64)
# Saves per attempt: this many a second sustained, bursts of EXAM_SAVE_BURST (a reconnecting page resends its queue).
# A refused save is not acknowledged; the page keeps it and sends it again (exams/examday/services/saves.py).
EXAM_SAVE_RATE = env.float("EXAM_SAVE_RATE", default=5)
EXAM_SAVE_BURST = env.int("EXAM_SAVE_BURST", default=200)

# --- Language, time ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "vendor_locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["exam_platform.formats"]

# --- Static and uploaded files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "exam_platform" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Without collectstatic (dev, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded spreadsheets are parsed, never served; keep them out of any web root.
PRIVATE_UPLOAD_ROOT = Path(env.str("PRIVATE_UPLOAD_ROOT", default=str(BASE_DIR / "private_uploads")))
MAX_IMPORT_FILE_BYTES = env.int("MAX_IMPORT_FILE_BYTES", default=5 * 1024 * 1024)
# Every uploaded workbook (accounts/spreadsheets.py): a 260 KB .xlsx can unpack to gigabytes, so the zip is checked
# against these before parsing, and the parse runs in a child process with a memory and time limit. Real imports
# stay far below: a province's people list is ~20,000 rows × 12 columns (~15 MB unpacked, ~3 s to parse), a
# question bank a few thousand rows.
MAX_IMPORT_UNCOMPRESSED_BYTES = env.int("MAX_IMPORT_UNCOMPRESSED_BYTES", default=64 * 1024 * 1024)
MAX_IMPORT_COMPRESSION_RATIO = env.int("MAX_IMPORT_COMPRESSION_RATIO", default=200)  # parts of 1 MB+; real ones 5-45×
MAX_IMPORT_SHARED_STRINGS = env.int("MAX_IMPORT_SHARED_STRINGS", default=1_000_000)
MAX_IMPORT_ROWS = env.int("MAX_IMPORT_ROWS", default=50_000)  # sheet rows, header included
MAX_IMPORT_COLUMNS = env.int("MAX_IMPORT_COLUMNS", default=100)
IMPORT_PARSE_MEMORY_BYTES = env.int("IMPORT_PARSE_MEMORY_BYTES", default=512 * 1024 * 1024)  # child address space
IMPORT_PARSE_CPU_SECONDS = env.int("IMPORT_PARSE_CPU_SECONDS", default=30)
IMPORT_PARSE_TIMEOUT_SECONDS = env.float("IMPORT_PARSE_TIMEOUT_SECONDS", default=60)  # wall clock, then killed
# At most HTTP_SYNC_LANES − 1 lanes wait on a parse at once; another upload waits this long for a turn, then is told
# to try again shortly.
IMPORT_PARSE_SLOT_WAIT_SECONDS = env.float("IMPORT_PARSE_SLOT_WAIT_SECONDS", default=2)
# /healthz answers 503 when every request lane has been running the same request for longer than this.
HEALTHZ_LANE_BUSY_SECONDS = env.float("HEALTHZ_LANE_BUSY_SECONDS", default=5)
# Who reads /healthz's details (backends, their kinds, lanes): these networks, and signed-in staff; everyone else gets
# the status code and {"status": ...} only. Behind a proxy the address is the client's only when TRUSTED_PROXY_COUNT
# or TRUSTED_CLIENT_IP_HEADER says how to read it.
HEALTHZ_DETAIL_NETWORKS = env.list("HEALTHZ_DETAIL_NETWORKS", default=[
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"])
MAX_SCAN_FILE_BYTES = env.int("MAX_SCAN_FILE_BYTES", default=20 * 1024 * 1024)  # one scanned script file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Training material and written work (courses/uploads.py, checked by exam_platform/private_files.py): a lesson's
# attached file, a lesson's uploaded video (in production the reverse proxy serves it: PRIVATE_MEDIA_ACCEL_PREFIX
# names its internal location over MEDIA_ROOT, and the application only checks who may see it), a learner's thu
# hoạch / tiểu luận / đề án.
COURSE_FILE_MAX_BYTES = env.int("COURSE_FILE_MAX_BYTES", default=20 * 1024 * 1024)
COURSE_VIDEO_MAX_BYTES = env.int("COURSE_VIDEO_MAX_BYTES", default=200 * 1024 * 1024)
COURSE_WRITTEN_MAX_BYTES = env.int("COURSE_WRITTEN_MAX_BYTES", default=20 * 1024 * 1024)
PRIVATE_MEDIA_ACCEL_PREFIX = env.str("PRIVATE_MEDIA_ACCEL_PREFIX", default="")
# The scan of a qualification obtained elsewhere (PDF, JPEG or PNG), attached by HR in the people register
# (exam_platform/private_files.py checks it).
QUALIFICATION_SCAN_MAX_BYTES = env.int("QUALIFICATION_SCAN_MAX_BYTES", default=10 * 1024 * 1024)
# No upload of any kind is read past this (exam_platform/uploads.py): the largest form limit.
MAX_UPLOAD_BYTES = max(MAX_SCAN_FILE_BYTES, COURSE_FILE_MAX_BYTES, COURSE_VIDEO_MAX_BYTES, COURSE_WRITTEN_MAX_BYTES,
                       QUALIFICATION_SCAN_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "exam_platform.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security --------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database (they survive a restart: nobody is logged out mid-exam) and are read from the
# cache: every request of the start spike would otherwise begin with a session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# The same strict policy in every mode: no inline script, style or event handler anywhere (templates move theirs
# into static files, question HTML keeps no style attribute: exams/banks/html.py). 'self' in connect-src covers the
# websockets to the same host (ws:/wss:, CSP Level 3). data: images: allauth's TOTP QR code is an SVG data: URI.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The client's address (audit, per-address limits, /healthz; allauth's limits read the same settings). Unset: the
# connection's address, and a forwarding header is ignored (anyone can send one). Behind reverse proxies: how many of
# ours append to X-Forwarded-For, or the one header our proxy sets (e.g. X-Real-IP).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 400) is one line, not a traceback: it is the client's doing, not a fault.
    "filters": {"client_errors_one_line": {"()": "exam_platform.log_filters.ClientErrorsOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors_one_line"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
