def read_records(lines):
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, score = text.split(",")
        yield {"name": name.strip(), "score": int(score)}


def only_passing(records, threshold):
    return (r for r in records if r["score"] >= threshold)


def batched(iterable, size):
    if size < 1:
        raise ValueError("size")

    def gen():
        batch = []
        for item in iterable:
            if len(batch) == size:
                yield batch
                batch = []
            batch.append(item)
        yield batch
    return gen()
