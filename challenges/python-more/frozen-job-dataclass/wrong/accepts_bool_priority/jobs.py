import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Job:
    """A queue entry: sorted by priority, then name; tags and options are extras."""

    priority: int
    name: str
    tags: frozenset[str] = field(default_factory=frozenset, compare=False)
    options: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if not isinstance(self.priority, int):
            raise TypeError(f"priority must be an int, not {type(self.priority).__name__}")
        if not 0 <= self.priority <= 9:
            raise ValueError(f"priority must be between 0 and 9, not {self.priority}")
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, not {type(self.name).__name__}")
        if not self.name.strip():
            raise ValueError("name must not be blank")
        if isinstance(self.tags, str):
            raise TypeError("tags must be an iterable of strings, not a single string")
        tags = frozenset(self.tags)
        if not all(isinstance(tag, str) for tag in tags):
            raise TypeError("every tag must be a str")
        # The instance is already frozen here, so write around the generated __setattr__.
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "options", dict(self.options))

    def with_priority(self, priority):
        """Return a copy of this job with another priority (validated again)."""
        return dataclasses.replace(self, priority=priority)
