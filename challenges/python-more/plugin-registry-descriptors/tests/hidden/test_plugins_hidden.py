import pytest
from judge import remote_module, subclass, type_of
from plugins import Plugin, Typed

# A class deriving from the candidate's Plugin, or with the candidate's Typed in its body,
# has to be made in the candidate's process: judge.subclass(bases, name, body, **keywords)
# stands for `class name(*bases, **keywords): body` there.
BUILTINS = remote_module("builtins")


def test_concrete_subclasses_are_registered():
    """A subclass with a name is registered at once; get, names and create use the registry"""
    Csv = subclass(Plugin, "Csv", {"name": "h-csv", "delimiter": Typed(str, default=",")})  # noqa: N806
    Json = subclass(Plugin, "Json", {"name": "h-json"})  # noqa: N806

    assert Plugin.get("h-csv") is Csv and Plugin.get("h-json") is Json
    names = Plugin.names()
    assert type(names) is list and names == sorted(names)
    assert {"h-csv", "h-json"} <= set(names)
    made = Plugin.create("h-csv", delimiter=";")
    assert type_of(made) is Csv and made.delimiter == ";"
    assert type_of(Plugin.create("h-json")) is Json
    with pytest.raises(KeyError):
        Plugin.get("h-no-such-plugin")


def test_name_must_be_defined_in_the_class_body():
    """A missing or merely inherited name is a TypeError, and the class is not registered"""
    Parent = subclass(Plugin, "Parent", {"name": "h-parent"})  # noqa: N806

    before = Plugin.names()
    with pytest.raises(TypeError):
        subclass(Plugin, "Nameless", {})
    with pytest.raises(TypeError):
        subclass(Parent, "Child", {})
    assert Plugin.names() == before
    assert Plugin.get("h-parent") is Parent

    NamedChild = subclass(Parent, "NamedChild", {"name": "h-parent-child"})  # noqa: N806

    assert Plugin.get("h-parent-child") is NamedChild


def test_name_must_be_a_non_empty_str():
    """A name that is not a non-empty str is a TypeError"""
    before = Plugin.names()
    for bad in ("", 5, None, b"bytes", ["h-list"]):
        with pytest.raises(TypeError):
            subclass(Plugin, "Bad", {"name": bad})
    assert Plugin.names() == before
    Good = subclass(Plugin, "Good", {"name": "h-good"})  # noqa: N806
    assert Plugin.get("h-good") is Good
    assert Plugin.names() == sorted([*before, "h-good"])


def test_duplicate_names_are_rejected():
    """Reusing a registered name is a ValueError; the first class keeps the name"""
    First = subclass(Plugin, "First", {"name": "h-dup"})  # noqa: N806

    with pytest.raises(ValueError):
        subclass(Plugin, "Second", {"name": "h-dup"})
    assert Plugin.get("h-dup") is First
    assert Plugin.names().count("h-dup") == 1


def test_abstract_plugins_are_not_registered():
    """abstract=True skips registration and the name check; the flag is not inherited"""
    before = Plugin.names()

    Exporter = subclass(Plugin, "Exporter", {"fmt": Typed(str, default="txt")},  # noqa: N806
                        abstract=True)

    assert Plugin.names() == before
    with pytest.raises(TypeError):
        subclass(Exporter, "Unnamed", {})

    Pdf = subclass(Exporter, "Pdf", {"name": "h-pdf"})  # noqa: N806

    assert Plugin.get("h-pdf") is Pdf
    assert Plugin.create("h-pdf", fmt="pdf").fmt == "pdf"


def test_init_subclass_cooperates_with_other_bases():
    """Other class keywords reach a mixin's own __init_subclass__ through super()"""
    seen = []

    def remember_tag(cls, /, tag=None, **kwargs):
        BUILTINS.super(Tagged, cls).__init_subclass__(**kwargs)
        cls.tag = tag
        seen.append(cls.__name__)

    # The mixin, made over there; its __init_subclass__ calls back into remember_tag.
    Tagged = subclass(object, "Tagged", {"__init_subclass__": remember_tag})  # noqa: N806
    Zip = subclass((Plugin, Tagged), "Zip", {"name": "h-zip"}, tag="archive")  # noqa: N806
    Tar = subclass((Plugin, Tagged), "Tar", {}, abstract=True, tag="abstract-archive")  # noqa: N806

    assert Zip.tag == "archive" and Tar.tag == "abstract-archive"
    assert seen == ["Zip", "Tar"]
    assert Plugin.get("h-zip") is Zip


def test_only_typed_settings_are_accepted():
    """create/__init__ refuse unknown keywords and plain class attributes with TypeError"""
    Mailer = subclass(Plugin, "Mailer", {"name": "h-mailer", "host": Typed(str),  # noqa: N806
                                         "note": "not a setting"})

    with pytest.raises(TypeError):
        Plugin.create("h-mailer", port=25)
    with pytest.raises(TypeError):
        Mailer(name="other")
    with pytest.raises(TypeError):
        Mailer(note="x")
    assert Mailer.name == "h-mailer" and Mailer.note == "not a setting"
    assert Mailer(host="smtp").host == "smtp"


def test_type_errors_name_the_attribute():
    """A value of the wrong type (a bool for int or float, an int for float) is a TypeError naming the attribute"""  # noqa: E501
    Limits = subclass(object, "Limits", {"retries": Typed(int), "ratio": Typed(float),  # noqa: N806
                                         "label": Typed(str)})

    item = Limits()
    for attr, value in (("retries", True), ("retries", "3"), ("retries", 2.0),
                        ("ratio", 3), ("ratio", False), ("label", None)):
        with pytest.raises(TypeError) as info:
            setattr(item, attr, value)
        assert attr in str(info.value)
    item.retries, item.ratio, item.label = 4, 0.5, ""
    assert (item.retries, item.ratio, item.label) == (4, 0.5, "")
    assert type(item.retries) is int


def test_bounds_are_inclusive_and_keep_the_old_value():
    """minimum and maximum are inclusive; a ValueError names the attribute and keeps the old value"""
    Pool = subclass(object, "Pool", {"size": Typed(int, minimum=1, maximum=8),  # noqa: N806
                                     "load": Typed(float, maximum=1.0)})

    pool = Pool()
    pool.size = 1
    pool.size = 8
    for bad in (0, 9, -5):
        with pytest.raises(ValueError) as info:
            pool.size = bad
        assert "size" in str(info.value)
    assert pool.size == 8
    pool.load = -3.5
    with pytest.raises(ValueError):
        pool.load = 1.01
    assert pool.load == -3.5
    with pytest.raises(TypeError):
        pool.size = "big"
    assert pool.size == 8


def test_values_are_per_instance_and_per_attribute():
    """Each instance keeps its own values, and two Typed attributes never share storage"""
    Box = subclass(object, "Box", {"width": Typed(int, default=1),  # noqa: N806
                                   "height": Typed(int, default=1)})

    a, b = Box(), Box()
    a.width = 10
    a.height = 20
    b.width = 30
    assert (a.width, a.height) == (10, 20)
    assert (b.width, b.height) == (30, 1)
    assert Box().width == 1


def test_defaults_missing_values_and_class_access():
    """Unset reads give the default (even None) or an AttributeError naming the attribute"""
    Conf = subclass(object, "Conf", {"host": Typed(str),  # noqa: N806
                                     "proxy": Typed(object, default=None),
                                     "port": Typed(int, minimum=1, default=80)})

    conf = Conf()
    with pytest.raises(AttributeError) as info:
        _ = conf.host
    assert "host" in str(info.value)
    assert conf.proxy is None
    assert conf.port == 80
    assert isinstance(Conf.port, Typed) and Conf.port.name == "port"
    assert Conf.host.name == "host"


def test_defaults_are_validated_when_created():
    """An invalid default raises TypeError or ValueError when Typed(...) is created"""
    with pytest.raises(ValueError):
        Typed(int, minimum=0, default=-1)
    with pytest.raises(TypeError):
        Typed(int, default="three")
    with pytest.raises(TypeError):
        Typed(int, default=False)
    assert Typed(str, default="").default == ""
