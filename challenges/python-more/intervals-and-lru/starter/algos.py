from collections import OrderedDict


def merge_intervals(intervals):
    """Merge overlapping or touching closed intervals; return sorted (start, end) tuples."""
    return sorted(intervals)


class LRUCache:
    """A fixed-capacity mapping that evicts the least recently used key; O(1) get and put."""

    def __init__(self, capacity):
        self.capacity = capacity
        self._data = {}

    def get(self, key, default=None):
        return self._data.get(key, default)

    def put(self, key, value):
        self._data[key] = value

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        return key in self._data

    def keys(self):
        return list(self._data)
