from dataclasses import dataclass, field


@dataclass
class Job:
    """A queue entry: sorted by priority, then name. Make it frozen and ordered."""

    priority: int
    name: str
    tags: frozenset = frozenset()
    options: dict = None

    def with_priority(self, priority):
        """Return a copy of this job with another priority."""
        raise NotImplementedError("with_priority")
