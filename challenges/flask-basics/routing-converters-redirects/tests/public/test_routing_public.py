from app import app
from judge import http_client


def test_list_is_sorted_by_id():
    response = http_client(app).get("/articles/")
    assert response.status_code == 200
    assert [article["id"] for article in response.get_json()] == [1, 2, 3]


def test_article_by_id():
    response = http_client(app).get("/articles/2")
    assert response.status_code == 200
    assert response.get_json()["slug"] == "routing-101"


def test_slug_redirects_permanently():
    response = http_client(app).get("/a/routing-101")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/articles/2")


def test_latest_redirects_temporarily():
    response = http_client(app).get("/latest")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/articles/3")
