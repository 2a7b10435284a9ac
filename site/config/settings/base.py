"""Settings shared by every environment.

Every value that differs between machines comes from the environment (see the
configuration table in README.md). The embedded defaults — SQLite under
`var/` and the in-memory channel layer — need nothing installed.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

# site/config/settings/base.py → repository root is three parents up from site/.
SITE_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = SITE_DIR.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

# The public address of the site. Emails and feeds build absolute links from it.
# Unset in development: links then follow the address each request came in on (core/links.py).
SITE_URL = env("SITE_URL", default="").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL or "http://127.0.0.1:8000"
SITE_NAME = "Open Policy"
WAGTAIL_SITE_NAME = SITE_NAME

INSTALLED_APPS = [
    # Project apps first so their templates override third-party ones.
    "core",
    "accounts",
    "jobs",
    "consultation",
    "workinggroups",
    # Wagtail
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "accounts.apps.UsersAdminConfig",  # wagtail.users, with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Comments: comments-xtd must come before django_comments.
    "django_comments_xtd",
    "django_comments",
    "rest_framework",
    # The read API's OpenAPI docs page and its Swagger UI files, served from the site (consultation/api).
    "ninja",
    # Realtime
    "channels",
    # Wrong passwords (django-axes). Other limits use django-ratelimit, which
    # needs no app entry (core/limits.py).
    "axes",
    # Background work: Django's task framework (backport) and its database backend.
    "django_tasks",
    "django_tasks_db",
    # Content-Security-Policy (its checks catch settings in the pre-4.0 format).
    "csp",
    # Permissions: one named rule per action, loaded from each app's rules.py.
    "rules.apps.AutodiscoverRulesConfig",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the headers too.
    "core.security.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers' pages from the cache, before sessions, authentication, CSRF and
    # Wagtail's routing run (core/page_cache.py); outside it, the headers above.
    "core.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /api/ only: rate limit, CORS for reads, ETag / Last-Modified and 304s.
    "consultation.api.http.ApiMiddleware",
    # Where SITE_URL is unset (development), links in emails and feeds use this request's address.
    "core.links.RequestOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with 429.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): templates have no inline scripts, styles
# or event handlers, so everything comes from the site itself. Wagtail's admin
# gets ADMIN_CSP_UPDATE on top (core/security.py); `'self'` covers the
# same-origin websocket in connect-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # 'self', not 'none': the admin previews pages in a frame.
        "frame-ancestors": [SELF],
        # Browsers report what the policy blocked (core/views.py logs it).
        "report-uri": "/security/csp-report/",
    }
}
ADMIN_CSP_UPDATE = {
    "style-src": [UNSAFE_INLINE],
    "img-src": ["blob:"],
}

# Permissions-Policy (django-permissions-policy): the site uses none of these.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in, the right password included, while locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "consultation.pages.context_processors.consultation_links",
            ],
        },
    },
]


def _database(url):
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Two writer processes on SQLite's default DEFERRED transactions fail with
        # "database is locked"; WAL + IMMEDIATE serialises writers cleanly.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
        # Django's backend, keeping finished requests' connections for the next (core/db/sqlite3).
        config["ENGINE"] = "core.db.sqlite3"
        # A file (not :memory:) so that test servers in other processes share it.
        config["TEST"] = {"NAME": env("SQLITE_TEST_NAME", default=str(VAR_DIR / "test.sqlite3"))}
    else:
        # Persistent connections: otherwise every request opens a new PostgreSQL connection
        # (a connect, authentication and a server process each time). Under uvicorn Django
        # runs each ASGI request's sync code in a thread of its own, so CONN_MAX_AGE would
        # leave connections behind with the threads (Django's docs say to disable it under
        # ASGI); the pool (psycopg-pool, Django >= 5.1) is the way: each request borrows a
        # connection and gives it back at the end. DATABASE_POOL_SIZE bounds each process's
        # connections; 0 turns the pool off (e.g. behind PgBouncer), and then CONN_MAX_AGE
        # applies (a WSGI server).
        pool_size = env.int("DATABASE_POOL_SIZE", default=10)
        if pool_size:
            config.setdefault("OPTIONS", {})["pool"] = {"min_size": min(2, pool_size), "max_size": pool_size}
            config["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django refuses both
        else:
            config.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
        # Health checks replace a connection the server dropped instead of failing a request.
        config.setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
    return config


DATABASE_URL = env("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Realtime: Redis carries messages between processes; without it, one process
# uses the in-memory layer. The database stays the source of truth.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py caps the async pool at 100 connections and errors
                # instead of waiting; a burst of websockets needs more.
                # redis-py 8 also times socket reads out after 5 s, the same 5 s
                # channels-redis blocks in BZPOPMIN: under load the empty reply
                # loses the race and the consumer dies with "Timeout reading".
                "hosts": [{"address": REDIS_URL, "max_connections": 1000, "socket_timeout": 30}],
                "prefix": env("CHANNELS_PREFIX", default="openpolicy"),
                "capacity": 1500,
                "expiry": 10,
            },
        }
    }
    # The cache fails soft: Wagtail resolves every page URL through it (the
    # sites' root paths), so a cache that raised would turn a Redis outage into
    # a site outage, sign-in included. django-redis turns connection errors into
    # misses and gives up on an unanswering Redis after a second. It does not
    # log each one (two tracebacks a request); the relays and the tally clock
    # log the outage (consultation/reactions/consumers.py, broadcast.py).
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", default="openpolicy"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1.0,
                "SOCKET_TIMEOUT": 1.0,
            },
        }
    }
    # Sessions are read from Redis and written through to the database: every
    # signed-in request (a reaction POST, say) is one query fewer, and a lost
    # Redis loses no session. Without Redis each process would cache alone, and
    # a sign-out in one would leave the session alive in the other's cache.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A reaction POST keeps the section it names (with its paper and consultation) in its process
# while the page cache's `site` generation stands (consultation/reactions/services.py): only
# with a cache every process shares, where a page changed in another process bumps it for all.
REACTION_TARGETS_REMEMBERED = env.bool("REACTION_TARGETS_REMEMBERED", default=bool(REDIS_URL))

# Background work (site/jobs): every email, PDF and bulk notification runs as a
# job through Django's task framework. TASK_BACKEND chooses the backend:
# "database" (the embedded default: rows in the site's database, worked by
# `manage.py work`, i.e. django-tasks-db's db_worker) or "rq" (Redis, for
# several workers on several machines; the default when REDIS_URL is set).
TASK_BACKEND = env("TASK_BACKEND", default="rq" if REDIS_URL else "database")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    # Runs each task inside the call that enqueues it: for tests, never for a site.
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASK_BACKEND not in TASK_BACKENDS:
    raise ValueError(f"TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASK_BACKEND!r}")
if TASK_BACKEND == "rq" and not REDIS_URL:
    raise ValueError("TASK_BACKEND=rq needs REDIS_URL")
TASK_QUEUE = "default"
# Our jobs go to TASK_QUEUE; Wagtail's own tasks (reference index, image files) to "default".
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASK_BACKEND], "QUEUES": sorted({TASK_QUEUE, "default"})}}
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {TASK_QUEUE: {"URL": REDIS_URL}}
# The worker every django-rq command runs (rqworker, rqworker-pool, `manage.py work`): rq's,
# stopping at once (jobs/workers.py).
RQ = {"WORKER_CLASS": "jobs.workers.Worker"}
# Attempts before a job is shown as failed, and the first wait between them (doubling).
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=5)
JOB_RETRY_SECONDS = env.float("JOB_RETRY_SECONDS", default=30)
# Comment notifications to one person go out as one digest at most this often.
NOTIFICATION_DIGEST_MINUTES = env.float("NOTIFICATION_DIGEST_MINUTES", default=10)
# Work a worker runs every so many seconds (jobs.services.jobs_schedule): retention
# (consultation.privacy) and forgetting old finished jobs, daily from 00:00 UTC.
# SCHEDULED_JOBS=false leaves them to cron (`apply_retention`, `prune_jobs`).
SCHEDULED_JOBS = env.bool("SCHEDULED_JOBS", default=True)
JOB_SCHEDULE = {
    "consultation.privacy.services.retention_apply": 24 * 3600,
    "jobs.services.jobs_prune": 24 * 3600,
}

# Rate limits (README: configuration; site/core/limits.py says what each counts by).
# A value is one or more rates, comma-separated: "6/m,100/d" is a burst and a day.
# Counts live in the default cache: Redis when REDIS_URL is set, shared by every
# process; without it, each process counts alone (fine for the one-process default).
RATE_LIMITS = {
    "login_ip": env("RATE_LIMIT_LOGIN_IP", default="60/10m"),
    "login_username": env("RATE_LIMIT_LOGIN_USERNAME", default="20/h"),
    "signup_ip": env("RATE_LIMIT_SIGNUP_IP", default="20/h"),
    "signup_email": env("RATE_LIMIT_SIGNUP_EMAIL", default="3/h"),
    "password_reset_ip": env("RATE_LIMIT_PASSWORD_RESET_IP", default="10/h"),
    "password_reset_email": env("RATE_LIMIT_PASSWORD_RESET_EMAIL", default="3/h"),
    "verify_email": env("RATE_LIMIT_VERIFY_EMAIL", default="3/h"),
    "email_change": env("RATE_LIMIT_EMAIL_CHANGE", default="3/h"),
    "comment": env("RATE_LIMIT_COMMENT", default="6/m,100/d"),
    "reaction": env("RATE_LIMIT_REACTION", default="60/m"),
    "proposal": env("RATE_LIMIT_PROPOSAL", default="5/h,20/d"),
    "flag": env("RATE_LIMIT_FLAG", default="10/h"),
    "register_interest_ip": env("RATE_LIMIT_REGISTER_INTEREST_IP", default="10/h"),
    "api": env("RATE_LIMIT_API", default="300/m"),
    "search": env("RATE_LIMIT_SEARCH", default="30/m,500/d"),
    "csp_report": env("RATE_LIMIT_CSP_REPORT", default="30/m"),
}
# django-ratelimit: a cache that cannot be reached lets requests through rather
# than refusing everyone (core/limits.py does the same for other cache errors).
RATELIMIT_FAIL_OPEN = True
# Networks, not single IPv6 addresses, as everyone on a /64 is usually one household.
RATELIMIT_IPV6_MASK = 64

# Sign-in lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for
# one username from one address, that username is refused from that address
# (right password included, answered 429) until LOGIN_LOCKOUT_MINUTES pass
# without another try. Counted in Redis when there is one; otherwise in the
# database, which every process shares (a local-memory cache would not be).
if REDIS_URL:
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# No log of successful sign-ins with their addresses: we have no use for one.
AXES_DISABLE_ACCESS_LOG = True
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15.0) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in_locked"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))

SITE_ID = 1

# Email: console in development; SMTP from the environment in production.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Open Policy <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Wagtail
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Editors' own draft comments in the page editor are not our consultation comments.
WAGTAILADMIN_COMMENTS_ENABLED = False
# The admin calls no third party: no Gravatar images (which would send a hash of
# each editor's email address) and no check for new Wagtail releases. Both
# would also break the Content-Security-Policy.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Comments (django-comments-xtd)
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MODEL = "consultation.models.comments.Comment"
COMMENTS_XTD_FORM_CLASS = "consultation.comments.forms.CommentForm"
COMMENTS_XTD_MAX_THREAD_LEVEL = env.int("COMMENTS_MAX_DEPTH", default=3) - 1
COMMENT_MAX_LENGTH = env.int("COMMENT_MAX_LENGTH", default=3000)
# How long after posting the author may still edit their comment (minutes; 0: never).
COMMENT_EDIT_MINUTES = env.float("COMMENT_EDIT_MINUTES", default=15)
# comments-xtd's own posting, flagging and API views are not mounted (see
# config/urls.py); these options keep its defaults closed if one ever is.
COMMENTS_XTD_APP_MODEL_OPTIONS = {
    "default": {
        "who_can_post": "users",
        "allow_flagging": False,
        "allow_feedback": False,
        "show_feedback": False,
    }
}
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_THREADED_EMAILS = False
COMMENTS_XTD_FROM_EMAIL = DEFAULT_FROM_EMAIL
COMMENTS_XTD_CONTACT_EMAIL = DEFAULT_FROM_EMAIL

# The consensus report's method (docs/report.md). The values are printed in every report.
REPORT_SUPPORT_THRESHOLD = env.int("REPORT_SUPPORT_THRESHOLD", default=67)  # percent of those taking a side
REPORT_QUORUM = env("REPORT_QUORUM", default="1/2")  # share of a group's current members
REPORT_PUBLIC_MIN_REACTIONS = env.int("REPORT_PUBLIC_MIN_REACTIONS", default=10)
# Per-vote exports (docs/exports.md): a declared group with fewer people voting is published as "Other".
EXPORT_MIN_GROUP_SIZE = env.int("EXPORT_MIN_GROUP_SIZE", default=5)
EXPORT_CACHE_SECONDS = env.int("EXPORT_CACHE_SECONDS", default=300)
# Opinion groups inferred from the votes (docs/report.md).
OPINION_GROUPS_MIN_VOTES = env.int("OPINION_GROUPS_MIN_VOTES", default=7)
OPINION_GROUPS_MIN_PARTICIPANTS = env.int("OPINION_GROUPS_MIN_PARTICIPANTS", default=10)
OPINION_GROUPS_CACHE_SECONDS = env.int("OPINION_GROUPS_CACHE_SECONDS", default=3600)
OPINION_GROUPS_REFRESH_SECONDS = env.int("OPINION_GROUPS_REFRESH_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# People's data rights (consultation/privacy). A download link for one's own
# data (and the stored export) lasts PRIVACY_EXPORT_LINK_HOURS; retention deletes
# accounts never confirmed after RETENTION_UNVERIFIED_ACCOUNT_DAYS, and
# invitations and join requests closed (expired, withdrawn, decided) more than
# RETENTION_INVITATION_DAYS ago.
PRIVACY_EXPORT_LINK_MAX_AGE = int(env.float("PRIVACY_EXPORT_LINK_HOURS", default=24.0) * 3600)
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=30)
RETENTION_INVITATION_DAYS = env.int("RETENTION_INVITATION_DAYS", default=90)
