_MISSING = object()


class Typed:
    """A data descriptor that type- and range-checks every value assigned to it."""

    def __init__(self, kind, *, minimum=None, maximum=None, default=_MISSING):
        self.kind = kind
        self.minimum = minimum
        self.maximum = maximum
        self.name = None  # filled in by __set_name__
        self.default = default
        if default is not _MISSING:
            self._check(default)

    def __set_name__(self, owner, name):
        self.name = name

    def _check(self, value):
        label = self.name or "default"
        refused_bool = isinstance(value, bool) and self.kind in (int, float)
        if refused_bool or not isinstance(value, self.kind):
            raise TypeError(f"{label} must be {self.kind.__name__}, not {type(value).__name__}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{label} must be at least {self.minimum}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{label} must be at most {self.maximum}, got {value!r}")

    def __get__(self, instance, owner=None):
        if instance is None:
            return self  # accessed on the class
        try:
            # A data descriptor wins over the instance dict, so the same key is safe.
            return instance.__dict__[self.name]
        except KeyError:
            if self.default is _MISSING:
                raise AttributeError(f"{self.name} has not been set") from None
            return self.default

    def __set__(self, instance, value):
        self._check(value)
        instance.__dict__[self.name] = value


class Plugin:
    """Base class: every concrete subclass registers itself under its `name`."""

    _registry = {}

    def __init_subclass__(cls, /, abstract=False, **kwargs):
        super().__init_subclass__(**kwargs)  # let other bases see their own keywords
        if abstract:
            return
        if "name" not in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} must define a class attribute 'name'")
        name = cls.__dict__["name"]
        if not isinstance(name, str) or not name:
            raise TypeError(f"{cls.__qualname__}.name must be a non-empty str")
        Plugin._registry[name] = cls

    def __init__(self, **settings):
        for key, value in settings.items():
            if not isinstance(getattr(type(self), key, None), Typed):
                raise TypeError(f"{type(self).__qualname__} has no setting {key!r}")
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
