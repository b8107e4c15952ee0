"""WSGI entry point for gunicorn: `gunicorn lab.wsgi:app`."""

from lab.app import create_app

app = create_app()
