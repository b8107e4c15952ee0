# The lab's own image: web (gunicorn) and grading worker (Celery) from one image.
# Stage 1 bundles the browser scripts (the CodeMirror editor, the interview page) with npm +
# esbuild, as `npm run build` does for `lab up`; stage 2 runs as non-root.

FROM node:20-slim AS editor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# src/ holds only what esbuild bundles; the hand-written CSS (lab/static/*.css) is served as
# it is and comes with `COPY lab lab` below.
COPY lab/static/src lab/static/src
RUN npm run build

FROM python:3.12-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LAB_INSTANCE_PATH=/data
RUN useradd --create-home --uid 10100 lab \
 && mkdir -p /data && chown lab:lab /data
# nginx for the compose `proxy` service (lab/ops/proxy.py): it reads each request whole before
# gunicorn gets it, so slow clients cannot hold the web threads.
RUN apt-get update && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY lab lab
COPY worker worker
COPY challenges challenges
COPY --from=editor /build/lab/static/dist lab/static/dist
# Editable install: the bundled challenges stay beside the code, where `lab db seed` finds them.
RUN pip install --no-cache-dir -e ".[postgres]"
USER lab
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2)"
# gunicorn settings (gthread workers, LAB_WEB_WORKERS x LAB_WEB_THREADS) come from worker/core/config.py,
# as for `lab up`: result long-polls and event streams each hold a thread while they wait.
# Serve it behind nginx (the compose `proxy` service: python -m lab.ops.proxy), never bare.
CMD ["sh", "-c", "lab db seed && exec gunicorn -c python:lab.ops.gunicorn_conf --bind 0.0.0.0:8000 --access-logfile - lab.wsgi:app"]
