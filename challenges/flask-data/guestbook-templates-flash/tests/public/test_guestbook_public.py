import re

from app import ENTRIES, app


def test_excerpt_filter_cuts_long_text():
    ENTRIES.clear()
    excerpt = app.jinja_env.filters["excerpt"]
    assert excerpt("hello world", 5) == "hello\u2026"
    assert excerpt("short") == "short"


def test_sign_then_see_entry_and_flash():
    ENTRIES.clear()
    client = app.test_client()
    response = client.post("/sign", data={"name": "Ann", "message": "Lovely day"})
    assert response.status_code == 303
    body = client.get("/").get_data(as_text=True)
    assert re.search(r'<article class="entry">\s*<h2>Ann</h2>\s*<p>Lovely day</p>', body)
    assert re.search(r'<li class="flash success">\s*Thanks for signing, Ann!\s*</li>', body)


def test_flash_is_gone_on_the_next_page():
    ENTRIES.clear()
    client = app.test_client()
    client.post("/sign", data={"name": "Ann", "message": "Hi"})
    client.get("/")
    assert 'class="flash' not in client.get("/").get_data(as_text=True)
