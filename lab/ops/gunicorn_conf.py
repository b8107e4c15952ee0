"""gunicorn settings from the LAB_* variables (worker/core/config.py), so `lab up` and the container
image serve the same way:  gunicorn -c python:lab.ops.gunicorn_conf lab.wsgi:app

gthread workers: a result long-poll or event stream holds one thread for up to 30 s while
it sleeps on Redis, so each process needs many threads, not one (the sync worker's), or a
handful of waiting candidates would block every page.

A thread is also held by a client that sends its request slowly, so gunicorn never faces
clients directly: nginx reads each request whole first (lab/ops/proxy.py; `lab up` and the
compose `proxy` service start it).
"""

from worker.core.config import load_settings

_settings = load_settings()

worker_class = "gthread"
workers = _settings.web_workers
threads = _settings.web_threads
graceful_timeout = 10
