import dataclasses

import pytest
from jobs import Job
from judge import by_reference, remote_module, type_of, value

# The modules as the candidate's process has them: dataclasses.fields and
# typing.get_type_hints must look at the class where it lives.
DATACLASSES = remote_module("dataclasses")
TYPING = remote_module("typing")
BUILTINS = remote_module("builtins")


def test_is_a_dataclass_with_fields_in_order_and_type_hints():
    """Job is a dataclass whose fields are priority, name, tags, options with the given hints"""
    assert DATACLASSES.is_dataclass(Job) is True
    assert [f.name for f in DATACLASSES.fields(Job)] == ["priority", "name", "tags", "options"]
    hints = TYPING.get_type_hints(Job)
    assert type(hints) is dict
    assert hints == {
        "priority": int,
        "name": str,
        "tags": BUILTINS.frozenset[str],  # generic aliases made over there, to compare there
        "options": BUILTINS.dict[str, str],
    }


def test_defaults_come_from_factories():
    """tags and options use default_factory, and each job gets its own options dict"""
    by_name = {f.name: f for f in DATACLASSES.fields(Job)}
    for name, kind in (("tags", frozenset), ("options", dict)):
        f = by_name[name]
        assert f.default is DATACLASSES.MISSING
        assert f.default_factory is not DATACLASSES.MISSING
        made = f.default_factory()
        assert type(made) is kind and len(made) == 0
    first, second = Job(1, "a"), Job(1, "b")
    assert type(first.tags) is frozenset and first.tags == frozenset()
    assert type(first.options) is dict and first.options == {}
    # The dicts themselves, not copies: the same dict gives the same handle.
    assert by_reference(first).options is by_reference(first).options
    assert by_reference(first).options is not by_reference(second).options


def test_instances_are_frozen():
    """Setting, adding or deleting any attribute raises FrozenInstanceError"""
    job = Job(4, "index", tags={"x"}, options={"k": "v"})
    for attr, new_value in (("priority", 5), ("name", "other"), ("tags", frozenset()),
                            ("options", {}), ("brand_new", 1)):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(job, attr, new_value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        del job.name
    assert (job.priority, job.name) == (4, "index")


def test_ordering_uses_priority_then_name_only():
    """Sorting and < / > use priority then name; tags and options do not matter"""
    jobs = [
        Job(5, "b", tags={"z"}),
        Job(0, "zeta"),
        Job(5, "a", tags={"a", "b", "c"}, options={"x": "1"}),
        Job(9, "a"),
        Job(0, "alpha"),
    ]
    assert [(j.priority, j.name) for j in sorted(jobs)] == [
        (0, "alpha"), (0, "zeta"), (5, "a"), (5, "b"), (9, "a"),
    ]
    assert Job(1, "x", tags={"a"}) < Job(1, "y")
    assert not Job(1, "x", tags={"a", "b"}) < Job(1, "x", tags={"a"})
    assert Job(3, "a") > Job(2, "z")
    with pytest.raises(TypeError):
        remote_module("operator").lt(Job(1, "a"), (1, "a"))  # compared by the candidate's code


def test_equality_and_hash_ignore_tags_and_options():
    """== and hash() look at priority and name only; a job with options is hashable"""
    a = Job(2, "sync", tags={"x"}, options={"mode": "fast"})
    b = Job(2, "sync")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, Job(2, "other")}) == 2
    assert a != Job(3, "sync")


@pytest.mark.parametrize(
    "bad_values, error",
    [([-1, 10, 100], ValueError), ([True, False, 1.0, "3", None], TypeError)],
    ids=["out-of-range", "not-an-int"],
)
def test_priority_is_validated(bad_values, error):
    """priority must be a real int (not bool) between 0 and 9"""
    for priority in bad_values:
        with pytest.raises(error):
            Job(priority, "job")
    assert Job(7, "job").priority == 7


def test_boundary_priorities_are_accepted():
    """priorities 0 and 9 are both valid"""
    assert Job(0, "first").priority == 0
    assert Job(9, "last").priority == 9


def test_name_is_validated():
    """name must be a str that is not blank"""
    for name, error in (("", ValueError), ("   ", ValueError), ("\t\n", ValueError),
                        (5, TypeError), (None, TypeError), (b"job", TypeError)):
        with pytest.raises(error):
            Job(1, name)
    assert Job(1, " padded ").name == " padded "


def test_tags_are_normalised_and_checked():
    """Any iterable of str becomes a frozenset; a bare str or a non-str tag is a TypeError"""
    assert Job(1, "a", tags=["x", "y", "x"]).tags == frozenset({"x", "y"})
    from_gen = Job(1, "a", tags=(t for t in ("p", "q")))
    assert type(from_gen.tags) is frozenset and from_gen.tags == {"p", "q"}
    assert type(Job(1, "a", tags={"s"}).tags) is frozenset
    with pytest.raises(TypeError):
        Job(1, "a", tags="nightly")
    with pytest.raises(TypeError):
        Job(1, "a", tags=["ok", 3])


def test_options_are_copied():
    """The job keeps its own copy of options; changing the caller's dict later changes nothing"""
    # The caller's dict lives in the candidate's process, where the job can keep it.
    given = by_reference(BUILTINS.dict)(env="prod")
    job = Job(1, "deploy", options=given)
    given["env"] = "dev"
    given["extra"] = "1"
    assert value(given) == {"env": "dev", "extra": "1"}
    assert type_of(by_reference(job).options) is dict
    assert job.options == {"env": "prod"}


def test_with_priority_returns_a_validated_copy():
    """with_priority returns a new Job with the other fields kept; the original is unchanged"""
    job = Job(5, "report", tags={"weekly"}, options={"to": "team"})
    moved = job.with_priority(1)
    assert type_of(moved) is Job
    assert moved is not job
    assert (moved.priority, moved.name) == (1, "report")
    assert moved.tags == {"weekly"} and moved.options == {"to": "team"}
    assert job.priority == 5
    with pytest.raises(ValueError):
        job.with_priority(10)
    with pytest.raises(TypeError):
        job.with_priority(True)
