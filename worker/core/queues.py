"""The job queue's names, shared by the web (which sends jobs by name) and the Celery
worker (which registers them): the web never imports the worker's task module.

Quick feedback never waits behind slow work: Run, Submit and Docker builds (and pack
verification) have queues of their own, so workers can be given some or all of them.
"""

from __future__ import annotations

RUN, SUBMIT, BUILD = "run", "submit", "build"
QUEUES = (RUN, SUBMIT, BUILD)

GRADE_TASK = "lab.grade"
VERIFY_UPLOAD_TASK = "lab.verify_upload"


def queue_for(mode: str, build_queue: bool) -> str:
    """The queue of one grading: a kind that builds images has the build queue to itself
    (`Kind.builds_images`); the others go by mode."""
    if build_queue:
        return BUILD
    return RUN if mode == "run" else SUBMIT
