"""Running the lab: `lab up`'s supervisor, the nginx front, gunicorn settings,
/healthz and /metrics."""
