import pytest
from judge import subclass
from plugins import Plugin, Typed

# Your code runs in another process than these tests, so a class that derives from your
# Plugin is made there: judge.subclass(Plugin, "Uploader", {...}) stands for
#
#     class Uploader(Plugin):
#         name = "public-uploader"
#         host = Typed(str)
#         retries = Typed(int, minimum=0, maximum=10, default=3)
Uploader = subclass(Plugin, "Uploader", {
    "name": "public-uploader",
    "host": Typed(str),
    "retries": Typed(int, minimum=0, maximum=10, default=3),
})


def test_registered_and_created():
    assert Plugin.get("public-uploader") is Uploader
    up = Plugin.create("public-uploader", host="files.example", retries=5)
    assert isinstance(up, Uploader)
    assert up.host == "files.example"
    assert up.retries == 5


def test_validation():
    up = Uploader()
    assert up.retries == 3
    with pytest.raises(ValueError):
        up.retries = 11
    with pytest.raises(TypeError):
        up.host = 42


def test_missing_name():
    with pytest.raises(TypeError):
        subclass(Plugin, "Nameless", {})
