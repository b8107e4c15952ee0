from urllib.parse import urlsplit

import pytest
from app import app
from judge import http_client, remote_module

# The app's process has its own werkzeug: its classes are the ones the app's URL map uses.
builtins = remote_module("builtins")
werkzeug_routing = remote_module("werkzeug.routing")
werkzeug_exceptions = remote_module("werkzeug.exceptions")


def location_path(response):
    """The path of a redirect's Location.  The tests follow redirects by hand, sending there
    the request a client would make next: a GET after 301/302, the same POST and body after
    308."""
    return urlsplit(response.headers["Location"]).path


@pytest.mark.parametrize("slug", ["hello-flask", "routing-101", "a", "2024", "x1-y2-z3"])
def test_slug_converter_accepts_valid_slugs(slug):
    """The registered slug converter matches lowercase words joined by single hyphens"""
    converter = app.url_map.converters["slug"]
    assert isinstance(converter, builtins.type)
    assert issubclass(converter, werkzeug_routing.BaseConverter)
    _, view_args = app.url_map.bind("localhost").match(f"/a/{slug}")
    assert view_args == {"slug": slug}
    assert type(view_args["slug"]) is str


@pytest.mark.parametrize(
    "slug", ["Hello-Flask", "hello--flask", "-hello", "hello-", "hello_flask", "hello.flask"]
)
def test_slug_converter_rejects_malformed_slugs(slug):
    """Uppercase, doubled, leading or trailing hyphens and other characters do not match"""
    adapter = app.url_map.bind("localhost")
    with pytest.raises(werkzeug_exceptions.NotFound):
        adapter.match(f"/a/{slug}")
    # The rule itself is there: a well-formed slug still matches it.
    assert adapter.match("/a/hello-flask")[1] == {"slug": "hello-flask"}


@pytest.mark.parametrize("article_id", [1, 2, 3])
def test_slug_redirect_is_301_to_the_article(article_id):
    """GET /a/<slug> is a 301 to that article's /articles/<id> URL, which serves it"""
    from app import ARTICLES

    client = http_client(app)
    response = client.get(f"/a/{ARTICLES[article_id]['slug']}")
    assert response.status_code == 301
    assert location_path(response) == f"/articles/{article_id}"
    followed = client.get(location_path(response))
    assert followed.status_code == 200
    assert followed.get_json()["id"] == article_id


def test_latest_is_a_302_to_the_highest_id():
    """GET /latest is a 302 to /articles/3, which serves article 3"""
    client = http_client(app)
    response = client.get("/latest")
    assert response.status_code == 302
    assert location_path(response) == "/articles/3"
    body = client.get(location_path(response)).get_json()
    assert type(body["id"]) is int and body["id"] == 3


def test_redirects_are_built_with_url_for():
    """Redirect targets follow the app's mount point (url_for), not a hard-coded path"""
    client = http_client(app)
    slug = client.get("/a/hello-flask", base_url="http://localhost/blog")
    assert slug.status_code == 301
    assert location_path(slug) == "/blog/articles/1"
    latest = client.get("/latest", base_url="http://localhost/blog")
    assert location_path(latest) == "/blog/articles/3"
    search = client.post("/search", json={"q": "x"}, base_url="http://localhost/blog")
    assert location_path(search) == "/blog/articles/search"


def test_list_lives_under_the_trailing_slash():
    """/articles/ lists all articles sorted by id; /articles is redirected there with 308"""
    client = http_client(app)
    response = client.get("/articles/")
    assert response.status_code == 200
    body = response.get_json()
    assert type(body) is list
    assert [article["id"] for article in body] == [1, 2, 3]
    assert body[0] == {"id": 1, "slug": "hello-flask", "title": "Hello Flask"}
    bare = client.get("/articles")
    assert bare.status_code == 308
    assert location_path(bare) == "/articles/"


def test_article_by_id_and_about():
    """/articles/<int> serves the article; /about answers 200"""
    client = http_client(app)
    response = client.get("/articles/2")
    assert response.status_code == 200
    body = response.get_json()
    assert type(body["id"]) is int
    assert body == {"id": 2, "slug": "routing-101", "title": "Routing 101"}
    assert client.get("/about").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/articles/99", "/articles/abc", "/articles/-1", "/articles/1.5", "/articles/1/",
     "/about/", "/a/no-such-article", "/a/Hello-Flask", "/a/hello--flask"],
)
def test_not_found_paths(path):
    """Unknown or malformed ids and slugs, and a slash on a slash-less rule, are 404"""
    assert http_client(app).get(path).status_code == 404


def test_old_search_url_is_a_308_that_keeps_the_post():
    """POST /search is a 308 to /articles/search; following it repeats the POST with its body"""
    client = http_client(app)
    response = client.post("/search", json={"q": "flask"})
    assert response.status_code == 308
    assert location_path(response) == "/articles/search"
    followed = client.post(location_path(response), json={"q": "flask"})
    assert followed.status_code == 200
    assert followed.get_json() == {"ids": [1]}


@pytest.mark.parametrize(
    "query, ids", [("FLASK", [1]), ("", [1, 2, 3]), ("r", [2, 3]), ("nothing here", [])]
)
def test_search_matches_titles_ignoring_case(query, ids):
    """POST /articles/search returns ascending integer ids of titles containing q"""
    response = http_client(app).post("/articles/search", json={"q": query})
    assert response.status_code == 200
    found = response.get_json()["ids"]
    assert all(type(i) is int for i in found)
    assert found == ids


@pytest.mark.parametrize(
    "kwargs",
    [{"data": "q=flask"}, {"json": {"q": 5}}, {"json": ["flask"]}, {"json": {}}],
)
def test_search_rejects_a_bad_body(kwargs):
    """A body that is not a JSON object with a string q is a 400"""
    assert http_client(app).post("/articles/search", **kwargs).status_code == 400


@pytest.mark.parametrize(
    "method, path",
    [("post", "/articles/1"), ("get", "/search"), ("get", "/articles/search"),
     ("delete", "/articles/"), ("post", "/latest")],
)
def test_other_methods_are_405(method, path):
    """Methods not listed for a rule are refused with 405"""
    response = getattr(http_client(app), method)(path)
    assert response.status_code == 405
    assert "Allow" in response.headers
