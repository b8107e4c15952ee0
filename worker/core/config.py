"""Every setting of the lab, read from `LAB_*` environment variables in this one place.

Plain Python (no Flask), so the grading core, the CLI and the web app share it.
Sandbox limits have a default (what a challenge gets when it says nothing) and a
ceiling (what no challenge can exceed); a challenge may ask for less, never more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from worker.core.queues import QUEUES


class ConfigError(ValueError):
    """A LAB_* variable holds something unusable."""


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0  # the whole run
    test_seconds: float = 5.0  # one test's wait on the candidate's code, then it is restarted
    cpu_seconds: float = 8.0  # each candidate process
    memory_mb: int = 256
    pids: int = 64
    cpus: float = 1.0
    output_kb: int = 1024  # total stdout+stderr before the run is stopped
    scratch_mb: int = 32  # tmpfs mounted at /tmp
    file_size_mb: int = 16  # RLIMIT_FSIZE: no single file grows past this
    open_files: int = 256

    def tightened(self, requested: dict, ceiling: Limits) -> Limits:
        """Apply a challenge's requested limits, clamped to the operator's ceiling."""
        values = {}
        for f in fields(self):
            wanted = requested.get(f.name, getattr(self, f.name))
            values[f.name] = type(getattr(self, f.name))(min(wanted, getattr(ceiling, f.name)))
        return Limits(**values)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


LIMIT_NAMES = tuple(f.name for f in fields(Limits))


@dataclass(frozen=True)
class Settings:
    runner_image: str = ""  # empty: the hash-tagged image `lab images build` makes
    runtime: str = ""  # OCI runtime for sandboxes, e.g. "runsc" (gVisor); empty: engine default
    limits: Limits = field(default_factory=Limits)
    ceiling: Limits = field(
        default_factory=lambda: Limits(
            wall_seconds=60, test_seconds=60, cpu_seconds=60, memory_mb=1024, pids=256, cpus=2,
            output_kb=8192, scratch_mb=256, file_size_mb=128, open_files=1024,
        )
    )
    max_file_kb: int = 128  # one submitted file
    max_submission_kb: int = 512  # all submitted files together
    grace_seconds: float = 10.0  # engine overhead allowed on top of the wall clock
    reap_after_seconds: float = 300.0  # labelled containers older than this are leftovers
    debian_mirror: str = ""  # empty: read from this machine's apt sources
    instance_path: Path = Path("instance")
    cache_path: Path | None = None  # None: <instance>/cache
    database_url: str = ""  # empty: SQLite file under the instance folder
    redis_url: str = ""  # empty: `lab up` starts a private redis-server
    secret_key: str = ""  # empty: generated once and kept in the instance folder
    port: int = 8000
    max_request_kb: int = 1024  # bodies over this get 413
    stuck_after_seconds: float = 120.0  # queued/running longer than this is re-enqueued
    # How long a submission waits for a Docker engine that does not answer (retrying
    # with backoff) before it is stored as infra_error; it is regraded when one answers.
    engine_wait_seconds: float = 300.0
    sweep_every_seconds: float = 15.0
    # An uploaded pack is first validated in a child process held to these (lab/packs/guard.py).
    pack_validate_seconds: float = 30.0
    pack_validate_memory_mb: int = 512
    visibility_timeout: int = 3600  # Redis redelivery of unacknowledged tasks
    worker_concurrency: int = 4  # tasks mostly wait on the engine: more than the cores
    worker_queues: tuple[str, ...] = QUEUES
    web_workers: int = 2  # gunicorn processes
    # gunicorn threads per process (gthread): long-polls and result streams hold one each
    web_threads: int = 32
    # Warm sandbox containers kept started per worker process (0: every run starts cold).
    pool_size: int = 2
    pool_max_idle_seconds: float = 120.0  # recycled sooner when the reaper's age demands it
    # Abuse limits (0 switches one off).  Rate-limit counters live in this storage
    # (Flask-Limiter URI); empty: the lab's Redis, with a per-process memory fallback.
    ratelimit_storage: str = ""
    login_failures_per_account: int = 10  # failed logins per email and window
    login_failures_per_address: int = 30  # failed logins per client address and window
    login_window_minutes: int = 15
    signups_per_hour: int = 30  # sign-up forms per client address
    runs_per_minute: int = 30  # per candidate, pages and API together
    submits_per_minute: int = 10
    draft_saves_per_minute: int = 240  # a watched interview saves about 3 times a second while typing
    timeline_kb: int = 4096  # playback record per interview (about 20 kB a minute of typing)
    runs_in_flight: int = 1  # queued or running Runs per candidate
    submits_in_flight: int = 1
    cookie_secure: str = "auto"  # auto: Secure on cookies of requests that came over HTTPS
    remember_days: float = 14.0  # lifetime of the "remember me" cookie
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted
    metrics_token: str = ""  # bearer token for /metrics and /healthz details


def _number(name: str, raw: str, kind: type):
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a {kind.__name__}") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be greater than zero")
    return value


def _count(name: str, raw: str) -> int:
    """A whole number that may be zero (zero switches the feature off)."""
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return value


def _positive(env: dict, base: Settings, name: str) -> int | float:
    """Settings field `name` from LAB_<NAME>, greater than zero, of the field's type; the
    field's default (written once, in Settings) when the variable is unset."""
    default = getattr(base, name)
    variable = f"LAB_{name.upper()}"
    return _number(variable, env.get(variable, str(default)), type(default))


def _whole(env: dict, base: Settings, name: str) -> int:
    """Like _positive, for a whole number where zero switches something off."""
    variable = f"LAB_{name.upper()}"
    return _count(variable, env.get(variable, str(getattr(base, name))))


def _queues(raw: str) -> tuple[str, ...]:
    names = tuple(q.strip() for q in raw.split(",") if q.strip())
    unknown = set(names) - set(QUEUES)
    if not names or unknown:
        raise ConfigError(f"LAB_WORKER_QUEUES={raw!r}: name some of {', '.join(QUEUES)}")
    return names


# Per-candidate and per-address limits read as whole numbers where 0 switches one off.
ABUSE_COUNTS = ("login_failures_per_account", "login_failures_per_address", "signups_per_hour",
                "runs_per_minute", "submits_per_minute", "draft_saves_per_minute",
                "runs_in_flight", "submits_in_flight")


def _cookie_secure(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("auto", "1", "0"):
        raise ConfigError(f"LAB_COOKIE_SECURE={raw!r}: use auto, 1 or 0")
    return value


def _limits_from_env(env: dict, prefix: str, base: Limits) -> Limits:
    values = {}
    for f in fields(Limits):
        name = f"{prefix}{f.name.upper()}"
        if name in env:
            values[f.name] = _number(name, env[name], type(getattr(base, f.name)))
    return replace(base, **values)


def load_settings(env: dict | None = None) -> Settings:
    """Build Settings from the environment (os.environ unless given)."""
    env = dict(os.environ if env is None else env)
    base = Settings()
    ceiling = _limits_from_env(env, "LAB_MAX_", base.ceiling)
    limits = _limits_from_env(env, "LAB_", base.limits).tightened({}, ceiling)
    return Settings(
        runner_image=env.get("LAB_RUNNER_IMAGE", ""),
        runtime=env.get("LAB_RUNTIME", ""),
        limits=limits,
        ceiling=ceiling,
        max_file_kb=_positive(env, base, "max_file_kb"),
        max_submission_kb=_positive(env, base, "max_submission_kb"),
        grace_seconds=_positive(env, base, "grace_seconds"),
        reap_after_seconds=_positive(env, base, "reap_after_seconds"),
        debian_mirror=env.get("LAB_DEBIAN_MIRROR", ""),
        instance_path=Path(env.get("LAB_INSTANCE_PATH", "instance")).resolve(),
        cache_path=Path(env["LAB_CACHE_PATH"]).resolve() if env.get("LAB_CACHE_PATH") else None,
        database_url=env.get("LAB_DATABASE_URL", ""),
        redis_url=env.get("LAB_REDIS_URL", ""),
        secret_key=env.get("LAB_SECRET_KEY", ""),
        port=_positive(env, base, "port"),
        max_request_kb=_positive(env, base, "max_request_kb"),
        stuck_after_seconds=_positive(env, base, "stuck_after_seconds"),
        engine_wait_seconds=_positive(env, base, "engine_wait_seconds"),
        sweep_every_seconds=_positive(env, base, "sweep_every_seconds"),
        pack_validate_seconds=_positive(env, base, "pack_validate_seconds"),
        pack_validate_memory_mb=_positive(env, base, "pack_validate_memory_mb"),
        visibility_timeout=_positive(env, base, "visibility_timeout"),
        worker_queues=_queues(env.get("LAB_WORKER_QUEUES", ",".join(base.worker_queues))),
        worker_concurrency=_positive(env, base, "worker_concurrency"),
        web_workers=_positive(env, base, "web_workers"),
        web_threads=_positive(env, base, "web_threads"),
        pool_size=_whole(env, base, "pool_size"),
        pool_max_idle_seconds=_positive(env, base, "pool_max_idle_seconds"),
        ratelimit_storage=env.get("LAB_RATELIMIT_STORAGE", ""),
        **{name: _whole(env, base, name) for name in ABUSE_COUNTS},
        login_window_minutes=_positive(env, base, "login_window_minutes"),
        cookie_secure=_cookie_secure(env.get("LAB_COOKIE_SECURE", base.cookie_secure)),
        remember_days=_positive(env, base, "remember_days"),
        timeline_kb=_positive(env, base, "timeline_kb"),
        proxy_hops=_whole(env, base, "proxy_hops"),
        metrics_token=env.get("LAB_METRICS_TOKEN", ""),
    )


def private_redis_socket(settings: Settings) -> Path:
    """The Unix socket of the private redis-server `lab up` runs (without LAB_REDIS_URL)."""
    return settings.instance_path / "redis.sock"


def instance_redis_url(settings: Settings) -> str:
    """The broker URL: LAB_REDIS_URL, or the private redis-server `lab up` runs."""
    return settings.redis_url or f"unix://{private_redis_socket(settings)}"


def ratelimit_storage_url(settings: Settings) -> str:
    """Where Flask-Limiter keeps its counters: LAB_RATELIMIT_STORAGE (e.g. `memory://`), or
    the lab's Redis (a Unix socket URL spelled the way the limits library wants it)."""
    if settings.ratelimit_storage:
        return settings.ratelimit_storage
    url = instance_redis_url(settings)
    return "redis+unix://" + url[len("unix://"):] if url.startswith("unix://") else url


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.instance_path / 'lab.db'}"
