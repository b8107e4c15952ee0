"""gunicorn settings from the LAB_* variables (lab/config.py), so `lab up` and the container
image serve the same way:  gunicorn -c python:lab.gunicorn_conf lab.wsgi:app

gthread workers: a result long-poll or event stream holds one thread for up to 30 s while
it sleeps on Redis, so each process needs many threads, not one (the sync worker's), or a
handful of waiting candidates would block every page.
"""

from lab.config import load_settings

_settings = load_settings()

worker_class = "gthread"
workers = _settings.web_workers
threads = _settings.web_threads
graceful_timeout = 10
