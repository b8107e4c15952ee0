"""The grading core: sandbox, warm pool, runner images, kinds, verdicts and the
lab's configuration.  Plain Python and the Docker SDK: no Flask, SQLAlchemy or Celery."""
