"""Settings from environment variables (see the README's configuration table)."""

from __future__ import annotations

import os
import secrets
from importlib import resources
from pathlib import Path

ENV_PREFIX = "SURVEYAPP_"
PACKAGE_DIR = Path(__file__).resolve().parent


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}{name} must be an integer, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, production: bool) -> str:
    """The secret key from the environment, else (development only) one kept in the instance."""
    key = _env("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            f"{ENV_PREFIX}SECRET_KEY is required in production "
            "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def bundled_dir(name: str) -> Path:
    """A folder the wheel ships as package data (`migrations`, `translations`).

    An installed wheel carries it as `surveyapp/_data/<name>` (setup.py copies it there at build
    time); a source checkout, editable install included, has it at the top of the repository.
    """
    packaged = resources.files("surveyapp") / "_data" / name
    if packaged.is_dir():
        # Wheels install unpacked: the resource is a real folder that Alembic and Babel can read.
        return Path(str(packaged))
    return PACKAGE_DIR.parent / name


def default_translations_dir() -> Path:
    """The interface catalogs: the wheel's compiled copy, else `translations/` in the checkout."""
    return bundled_dir("translations")


def _public_url() -> str | None:
    from surveyapp.links import check_public_url

    try:
        return check_public_url(_env("PUBLIC_URL"))
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}PUBLIC_URL: {exc}") from exc


def _limit_or_off(name: str, default: str) -> str | None:
    raw = _env(name, default)
    if raw is None or raw.strip().lower() in {"off", "0", "none"}:
        return None
    from limits import parse

    try:
        parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}{name}: not a rate limit ({raw!r})") from exc
    return raw


def _trusted_hosts() -> list[str] | None:
    raw = _env("TRUSTED_HOSTS")
    if raw is None:
        return None
    return [host.strip() for host in raw.split(",") if host.strip()]


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment, then apply explicit overrides."""
    overrides = dict(overrides or {})
    env = overrides.get("ENV_NAME") or _env("ENV", "development")
    if env not in {"development", "production", "testing"}:
        raise ConfigError(
            f"{ENV_PREFIX}ENV must be development, production or testing, not {env!r}"
        )
    production = env == "production"
    sqlite_default = f"sqlite:///{instance_path / 'surveyapp.db'}"
    config = {
        "ENV_NAME": env,
        "DATABASE_URL": _env("DATABASE_URL", sqlite_default),
        "SQLITE_BUSY_TIMEOUT_MS": _int("SQLITE_BUSY_TIMEOUT_MS", 5000),
        "DB_POOL_SIZE": _int("DB_POOL_SIZE", 5),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 256 * 1024),
        "MAX_FORM_PARTS": _int("MAX_FORM_PARTS", 400),
        # Login throttling counters, shared by all workers: redis://host:6379/0, or (single host)
        # surveyapp+sqlite:///<file> (the default, beside the database); memory:// is per worker.
        "RATELIMIT_STORAGE_URI": _env(
            "RATELIMIT_STORAGE_URL", f"surveyapp+sqlite:///{instance_path / 'ratelimit.sqlite'}"
        ),
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "surveyapp"),
        # Untrusted login attempts (no device cookie for the account): per account, growing.
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "10 per minute;30 per hour"),
        "LOGIN_GLOBAL_RATE_LIMIT": _env("LOGIN_GLOBAL_RATE_LIMIT", "60 per minute"),
        # Trusted attempts (a browser where the account logged in before), per browser.
        "LOGIN_DEVICE_RATE_LIMIT": _env("LOGIN_DEVICE_RATE_LIMIT", "10 per minute;30 per hour"),
        "LOGIN_DEVICE_COOKIE_DAYS": _int("LOGIN_DEVICE_COOKIE_DAYS", 90),
        # New responses per client (keyed digest of the address, see respondent/starts.py);
        # "off" disables it.
        "RESPONDENT_START_LIMIT": _limit_or_off("RESPONDENT_START_LIMIT", "20 per hour"),
        # Proof-of-work on the consent page of open links (respondent/challenge.py).
        "RESPONDENT_CHALLENGE": _bool("RESPONDENT_CHALLENGE", False),
        "RESPONDENT_CHALLENGE_MAX_NUMBER": _int("RESPONDENT_CHALLENGE_MAX_NUMBER", 50_000),
        "RESPONDENT_CHALLENGE_WAIT": _int("RESPONDENT_CHALLENGE_WAIT", 10),
        # Reverse proxies in front of the app that set X-Forwarded-For (0: none, direct).
        "PROXY_HOPS": _int("PROXY_HOPS", 0),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "UTC"),
        "BABEL_TRANSLATION_DIRECTORIES": str(
            _env("TRANSLATIONS_DIR") or default_translations_dir()
        ),
        "WTF_CSRF_TIME_LIMIT": _int("CSRF_TIME_LIMIT", 8 * 3600),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SECURE_COOKIES", production),
        "RESPONDENT_COOKIE_DAYS": _int("RESPONDENT_COOKIE_DAYS", 60),
        "ADMIN_IDLE_MINUTES": _int("ADMIN_IDLE_MINUTES", 30),
        "ADMIN_ABSOLUTE_HOURS": _int("ADMIN_ABSOLUTE_HOURS", 8),
        "HSTS": production,
        # Invitations: where mail goes and who sends it (links start with PUBLIC_URL).
        "SMTP_URL": _env("SMTP_URL"),
        "MAIL_FROM": _env("MAIL_FROM"),
        "MAIL_PER_MINUTE": _int("MAIL_PER_MINUTE", 120),
        "REMINDER_INTERVAL_DAYS": _int("REMINDER_INTERVAL_DAYS", 3),
        # Background jobs (surveyapp/jobs): queue (redis://… in production; default: a SQLite
        # file in the instance folder, worker started by `surveyapp serve`), files, lease.
        "JOBS_QUEUE_URL": _env("JOBS_URL"),
        "JOBS_DIR": _env("JOBS_DIR"),
        "JOB_LEASE_SECONDS": _int("JOB_LEASE_SECONDS", 30),
        "JOB_RETENTION_DAYS": _int("JOB_RETENTION_DAYS", 7),
        "EXPORT_JOB_ROWS": _int("EXPORT_JOB_ROWS", 20000),
        "SAV_JOB_ROWS": _int("SAV_JOB_ROWS", 5000),
        "RESULTS_JOB_ROWS": _int("RESULTS_JOB_ROWS", 5000),
        # Links that leave the page (continue later) start with this, never with the Host header.
        "PUBLIC_URL": _public_url(),
        # Flask answers 400 to a request whose Host is not listed (None: any Host).
        "TRUSTED_HOSTS": _trusted_hosts(),
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(instance_path, production)
    return config
