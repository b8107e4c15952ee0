def read_records(lines):
    out = []
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            name, score = text.split(",")
            out.append({"name": name.strip(), "score": int(score)})
    return out


def only_passing(records, threshold):
    return [r for r in records if r["score"] >= threshold]


def batched(iterable, size):
    if size < 1:
        raise ValueError("size")
    items = list(iterable)
    return [items[i:i + size] for i in range(0, len(items), size)]
