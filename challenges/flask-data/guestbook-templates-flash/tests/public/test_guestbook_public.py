import re

import app as app_module
from app import app
from judge import by_reference, http_client


def test_excerpt_filter_cuts_long_text():
    by_reference(app_module).ENTRIES.clear()
    excerpt = app.jinja_env.filters["excerpt"]
    assert excerpt("hello world", 5) == "hello\u2026"
    assert excerpt("short") == "short"


def test_sign_then_see_entry_and_flash():
    by_reference(app_module).ENTRIES.clear()
    client = http_client(app)
    response = client.post("/sign", data={"name": "Ann", "message": "Lovely day"})
    assert response.status_code == 303
    body = client.get("/").get_data(as_text=True)
    assert re.search(r'<article class="entry">\s*<h2>Ann</h2>\s*<p>Lovely day</p>', body)
    assert re.search(r'<li class="flash success">\s*Thanks for signing, Ann!\s*</li>', body)


def test_flash_is_gone_on_the_next_page():
    by_reference(app_module).ENTRIES.clear()
    client = http_client(app)
    client.post("/sign", data={"name": "Ann", "message": "Hi"})
    client.get("/")
    assert 'class="flash' not in client.get("/").get_data(as_text=True)
