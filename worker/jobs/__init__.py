"""The Celery side of the worker: tasks that claim submissions in the database and
call the grading core, the sweeper and the heartbeat.  The top layer: it may use the
web package (models, statistics, push), never the other way round."""
