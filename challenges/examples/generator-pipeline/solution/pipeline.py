import itertools


def read_records(lines):
    """Yield {"name": str, "score": int} for each "name,score" line."""
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, score = text.split(",")
        yield {"name": name.strip(), "score": int(score)}


def only_passing(records, threshold):
    """Yield the records whose score is at least `threshold`."""
    return (record for record in records if record["score"] >= threshold)


def batched(iterable, size):
    """Yield lists of up to `size` items; ValueError when size < 1."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    return _batches(iter(iterable), size)


def _batches(iterator, size):
    while True:
        batch = list(itertools.islice(iterator, size))
        if not batch:
            return
        yield batch
