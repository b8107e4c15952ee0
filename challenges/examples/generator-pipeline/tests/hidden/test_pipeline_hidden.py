import itertools

import pytest
from pipeline import batched, only_passing, read_records


class Source:
    """A one-shot iterator that counts how many items were taken from it.

    It refuses to hand out more than `limit` items, so a stage that tries to read
    all of an endless input fails quickly instead of running until the time limit.
    """

    def __init__(self, items, limit=10_000):
        self._items = iter(items)
        self._limit = limit
        self.taken = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.taken >= self._limit:
            raise AssertionError("far more input was read than needed")
        item = next(self._items)
        self.taken += 1
        return item


def test_read_records_strips_and_skips():
    """Blank and comment lines are skipped; fields are stripped; score is an int"""
    lines = [
        "# name,score\n",
        "\n",
        "   \n",
        "  Ada Lovelace ,  91 \n",
        "   # an indented comment\n",
        "\tBob,7\t\n",
        "Cy,0",
    ]
    records = list(read_records(lines))
    assert records == [
        {"name": "Ada Lovelace", "score": 91},
        {"name": "Bob", "score": 7},
        {"name": "Cy", "score": 0},
    ]
    assert all(type(r["score"]) is int for r in records)


def test_stages_return_iterators():
    """Every stage returns an iterator (such as a generator), not a list"""
    results = [
        read_records(["Ada,91"]),
        only_passing([{"name": "Ada", "score": 91}], 0),
        batched([1, 2, 3], 2),
    ]
    for result in results:
        assert not isinstance(result, (list, tuple))
        assert iter(result) is result


def test_nothing_is_read_before_iteration():
    """Calling the stages reads no input; each item reads only the lines it needs"""
    lines = Source(["Ada,91\n", "Bob,40\n", "Cy,75\n", "Di,88\n"])
    groups = batched(only_passing(read_records(lines), 50), 1)
    assert lines.taken == 0
    assert next(groups) == [{"name": "Ada", "score": 91}]
    assert lines.taken == 1
    assert next(groups) == [{"name": "Cy", "score": 75}]
    assert lines.taken == 3


def test_batched_reads_only_one_batch_ahead():
    """batched reads exactly `size` items to hand out a full batch"""
    source = Source(range(100))
    groups = batched(source, 3)
    assert source.taken == 0
    assert next(groups) == [0, 1, 2]
    assert source.taken == 3


def test_works_on_an_endless_stream():
    """The chained stages work on an endless stream when only a prefix is taken"""
    lines = Source(f"user{i},{i % 10 * 10}\n" for i in itertools.count())
    groups = batched(only_passing(read_records(lines), 50), 2)
    first = list(itertools.islice(groups, 3))
    assert first == [
        [{"name": "user5", "score": 50}, {"name": "user6", "score": 60}],
        [{"name": "user7", "score": 70}, {"name": "user8", "score": 80}],
        [{"name": "user9", "score": 90}, {"name": "user15", "score": 50}],
    ]
    assert lines.taken == 16


def test_only_passing_threshold_is_inclusive():
    """only_passing keeps scores equal to the threshold, in order, and drops lower ones"""
    records = [
        {"name": "a", "score": 49},
        {"name": "b", "score": 50},
        {"name": "c", "score": 51},
        {"name": "d", "score": 50},
    ]
    assert list(only_passing(iter(records), 50)) == records[1:]


def test_batched_last_batch_is_shorter():
    """batched yields full lists in order, then one shorter list for the rest"""
    assert list(batched((n for n in range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]


@pytest.mark.parametrize(
    "items, size, expected",
    [
        ("abc", 1, [["a"], ["b"], ["c"]]),
        (range(6), 3, [[0, 1, 2], [3, 4, 5]]),
        ([1, 2], 5, [[1, 2]]),
    ],
)
def test_batched_edge_sizes(items, size, expected):
    """batched handles size 1, an exact multiple and a size larger than the input"""
    assert list(batched(items, size)) == expected


def test_empty_input_yields_nothing():
    """Empty input (or only blank and comment lines) yields nothing from every stage"""
    stages = [
        read_records([]),
        read_records(["\n", "# only a comment\n", "   "]),
        only_passing([], 0),
        batched([], 3),
        batched(iter(()), 1),
    ]
    for stage in stages:
        # An iterator that runs dry at once; an empty list or string is not one.
        assert iter(stage) is stage
        assert list(stage) == []
    # The same stages are not simply always empty.
    assert list(read_records(["# a comment\n", "Ada,1\n"])) == [{"name": "Ada", "score": 1}]
    assert list(only_passing([{"name": "Ada", "score": 1}], 0)) == [{"name": "Ada", "score": 1}]
    assert list(batched(iter("ab"), 3)) == [["a", "b"]]


@pytest.mark.parametrize("size", [0, -3])
def test_batched_rejects_size_below_one(size):
    """batched raises ValueError for size below 1 as soon as it is called"""
    source = Source([1, 2, 3])
    with pytest.raises(ValueError):
        batched(source, size)
    assert source.taken == 0
    # The refused call left the input alone, and a valid size still works on it.
    assert list(batched(source, 2)) == [[1, 2], [3]]
