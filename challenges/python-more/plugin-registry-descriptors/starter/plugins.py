class Typed:
    """A data descriptor that type- and range-checks every value assigned to it."""

    def __init__(self, kind, *, minimum=None, maximum=None, default=None):
        self.kind = kind
        self.minimum = minimum
        self.maximum = maximum
        self.default = default
        self.name = None

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return getattr(self, "value", self.default)

    def __set__(self, instance, value):
        self.value = value


class Plugin:
    """Base class: every concrete subclass registers itself under its `name`."""

    _registry = {}

    def __init__(self, **settings):
        for key, value in settings.items():
            setattr(self, key, value)

    @classmethod
    def get(cls, name):
        """The plugin class registered under name; KeyError if there is none."""
        return Plugin._registry[name]

    @classmethod
    def names(cls):
        """Every registered name, sorted."""
        return sorted(Plugin._registry)

    @classmethod
    def create(cls, name, **settings):
        """An instance of the plugin registered under name, with settings applied."""
        return Plugin.get(name)(**settings)
