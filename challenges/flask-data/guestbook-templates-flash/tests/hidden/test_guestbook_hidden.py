import html
import re
from urllib.parse import urlsplit

import app as app_module
import pytest
from app import app
from judge import by_reference, http_client, remote_module

flask = remote_module("flask")  # Flask as the candidate's process has it

ENTRY_RE = re.compile(
    r'<article class="entry">\s*<h2>(.*?)</h2>\s*<p>(.*?)</p>\s*</article>', re.S)
FLASH_RE = re.compile(r'<li class="flash ([a-z]+)">(.*?)</li>', re.S)
TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.fixture(autouse=True)
def empty_guestbook():
    # The candidate's own list, not a copy of it.
    by_reference(app_module).ENTRIES.clear()
    yield
    by_reference(app_module).ENTRIES.clear()


def page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def entries(body):
    return [(name.strip(), text.strip()) for name, text in ENTRY_RE.findall(body)]


def flashes(body):
    return [(category, text.strip()) for category, text in FLASH_RE.findall(body)]


def exact_type_of_call(func, *args):
    """type(func(*args)) as the candidate's process sees it.  A str subclass such as Markup
    reaches the tests as a plain str, so the call and the type() both run over there."""
    builtins = remote_module("builtins")
    return next(builtins.map(builtins.type, builtins.map(func, *[[arg] for arg in args])))


def title(body):
    found = TITLE_RE.search(body)
    assert found, "no <title> element"
    return found.group(1).strip()


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short", None, "short"),
        ("a" * 40, None, "a" * 40),
        ("a" * 41, None, "a" * 40 + "\u2026"),
        ("hello world", 5, "hello\u2026"),
        ("hello world", 6, "hello\u2026"),
        ("  padded  ", 6, "padded"),
        ("abc", 3, "abc"),
    ],
    ids=["short", "exactly-40", "41-chars", "cut-at-5", "no-space-before-ellipsis",
         "stripped-first", "exactly-the-limit"],
)
def test_excerpt_filter(text, limit, expected):
    """The registered excerpt filter strips, keeps text up to the limit and cuts longer text with an ellipsis"""  # noqa: E501
    excerpt = app.jinja_env.filters["excerpt"]
    result = excerpt(text) if limit is None else excerpt(text, limit)
    assert type(result) is str
    assert result == expected
    args = (text,) if limit is None else (text, limit)
    assert exact_type_of_call(excerpt, *args) is str


def test_excerpt_output_is_still_escaped():
    """The filter's output is escaped by autoescaping, not marked safe"""
    with app.test_request_context():
        out = flask.render_template_string("{{ s|excerpt(10) }}", s="<b>bold</b> text")
    assert "<b>" not in out
    assert html.unescape(out) == "<b>bold</b\u2026"


def test_layout_blocks_can_be_overridden():
    """layout.html provides a default title and a content block inside <main>"""
    with app.test_request_context():
        plain = flask.render_template_string(
            '{% extends "layout.html" %}{% block content %}<p id="probe">inside</p>{% endblock %}')
        titled = flask.render_template_string(
            '{% extends "layout.html" %}{% block title %}Custom{% endblock %}'
            '{% block content %}x{% endblock %}')
    assert title(plain) == "Guestbook"
    assert re.search(r'<main>\s*<p id="probe">inside</p>\s*</main>', plain)
    assert 'class="flashes"' not in plain
    assert title(titled) == "Custom"


def test_guestbook_template_extends_layout():
    """guestbook.html extends layout.html and the page carries the layout around it"""
    source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, "guestbook.html")
    assert re.match(r"""\s*\{%-?\s*extends\s+["']layout\.html["']""", source)
    body = page(http_client(app))
    assert body.lstrip().lower().startswith("<!doctype html>")
    assert re.search(r"<main>.*</main>", body, re.S)


def test_empty_guestbook():
    """With no entries the page says so and the title counts 0"""
    body = page(http_client(app))
    assert title(body) == "Guestbook (0)"
    assert re.search(r'<p class="empty">\s*No entries yet\.\s*</p>', body)
    assert entries(body) == []


def test_sign_redirects_with_303():
    """POST /sign answers 303 See Other to the guestbook page"""
    response = http_client(app).post("/sign", data={"name": "Ann", "message": "Hi"})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/"


def test_entries_newest_first():
    """Entries are stripped, shown newest first, a blank name is Anonymous and the title counts them"""
    client = http_client(app)
    client.post("/sign", data={"name": " Ann ", "message": " First! "})
    client.post("/sign", data={"name": "", "message": "Second"})
    client.post("/sign", data={"message": "Third"})
    client.post("/sign", data={"name": "Cy", "message": "Fourth"})
    body = page(client)
    assert entries(body) == [("Cy", "Fourth"), ("Anonymous", "Third"),
                             ("Anonymous", "Second"), ("Ann", "First!")]
    assert title(body) == "Guestbook (4)"
    assert 'class="empty"' not in body


def test_long_messages_are_excerpted_on_the_page():
    """A message longer than 40 characters is shown through the excerpt filter"""
    client = http_client(app)
    message = "The garden party was lovely and the cake was even better."
    client.post("/sign", data={"name": "Bo", "message": message})
    body = page(client)
    assert [html.unescape(text) for _, text in entries(body)] == [message[:40] + "\u2026"]


def test_script_in_user_input_is_escaped():
    """<script> in the name or message is escaped in the entry and in the flash message"""
    client = http_client(app)
    name = '<script>alert("n")</script>'
    message = "<script>alert('m')</script>"
    client.post("/sign", data={"name": name, "message": message})
    body = page(client)
    assert "<script" not in body.lower()
    assert [(html.unescape(n), html.unescape(t)) for n, t in entries(body)] == [(name, message)]
    assert [(c, html.unescape(t)) for c, t in flashes(body)] == [
        ("success", f"Thanks for signing, {name}!")]


def test_flash_messages_are_shown_once():
    """Flashes appear in order with their category on the next page, then never again"""
    client = http_client(app)
    client.post("/sign", data={"name": "Ann", "message": "Hello"})
    client.post("/sign", data={"name": "Bo", "message": "Hey"})
    first = page(client)
    assert flashes(first) == [("success", "Thanks for signing, Ann!"),
                              ("success", "Thanks for signing, Bo!")]
    assert re.search(r'<ul class="flashes">\s*<li', first)
    second = page(client)
    assert flashes(second) == []
    assert 'class="flashes"' not in second


def test_empty_message_flashes_an_error():
    """A blank message stores nothing, redirects with 303 and flashes an error once"""
    client = http_client(app)
    response = client.post("/sign", data={"name": "Ann", "message": "   "})
    assert response.status_code == 303
    assert app_module.ENTRIES == []
    body = page(client)
    assert flashes(body) == [("error", "Please write a message.")]
    assert entries(body) == []
    assert flashes(page(client)) == []
