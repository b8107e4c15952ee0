import itertools


def read_records(lines):
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, score = text.split(",")
        yield {"name": name.strip(), "score": int(score)}


def only_passing(records, threshold):
    return (r for r in records if r["score"] > threshold)


def batched(iterable, size):
    if size < 1:
        raise ValueError("size")
    it = iter(iterable)
    return iter(lambda: list(itertools.islice(it, size)), [])
