from collections import OrderedDict


def merge_intervals(intervals):
    """Merge overlapping or touching closed intervals; return sorted (start, end) tuples."""
    pairs = intervals if isinstance(intervals, list) else list(intervals)
    for start, end in pairs:
        if start > end:
            raise ValueError(f"interval ({start}, {end}) ends before it starts")
    pairs.sort()
    merged = []
    for start, end in pairs:
        if merged and start <= merged[-1][1]:  # overlaps or touches the previous one
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class LRUCache:
    """A fixed-capacity mapping that evicts the least recently used key; O(1) get and put."""

    def __init__(self, capacity):
        if type(capacity) is not int:
            raise TypeError("capacity must be an int")
        if capacity < 0:
            raise ValueError("capacity must not be negative")
        self.capacity = capacity
        self._data = OrderedDict()  # least recently used first

    def get(self, key, default=None):
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key, value):
        if key in self._data:
            self._data.move_to_end(key)  # an update never evicts anything
        self._data[key] = value
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        return key in self._data

    def keys(self):
        return list(self._data)
