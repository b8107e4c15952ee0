def read_records(lines):
    """Yield {"name": str, "score": int} for each "name,score" line."""
    raise NotImplementedError("read_records")


def only_passing(records, threshold):
    """Yield the records whose score is at least `threshold`."""
    raise NotImplementedError("only_passing")


def batched(iterable, size):
    """Yield lists of up to `size` items; ValueError when size < 1."""
    raise NotImplementedError("batched")
