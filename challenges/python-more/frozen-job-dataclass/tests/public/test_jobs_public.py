import dataclasses

import pytest
from jobs import Job


def test_sorts_by_priority_then_name():
    jobs = [Job(2, "backup"), Job(1, "deploy"), Job(2, "archive")]
    assert [j.name for j in sorted(jobs)] == ["deploy", "archive", "backup"]


def test_tags_become_a_frozenset():
    job = Job(3, "report", tags=["daily", "email"])
    assert job.tags == frozenset({"daily", "email"})
    assert type(job.tags) is frozenset


def test_cannot_assign():
    job = Job(1, "deploy")
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.priority = 5


def test_priority_out_of_range():
    with pytest.raises(ValueError):
        Job(10, "too-high")
