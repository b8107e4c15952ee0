from pipeline import batched, only_passing, read_records


def test_reads_simple_lines():
    lines = ["Ada,91\n", "Bob,40\n"]
    assert list(read_records(lines)) == [
        {"name": "Ada", "score": 91},
        {"name": "Bob", "score": 40},
    ]


def test_only_passing_keeps_high_scores():
    records = [{"name": "Ada", "score": 91}, {"name": "Bob", "score": 40}]
    assert list(only_passing(records, 60)) == [{"name": "Ada", "score": 91}]


def test_batched_groups_items():
    assert list(batched([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
