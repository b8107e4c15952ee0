from app import app
from judge import http_client


def test_v2_json_by_default():
    response = http_client(app).get("/v2/books")
    assert response.status_code == 200
    assert response.get_json()["count"] == 4


def test_csv_when_asked():
    response = http_client(app).get("/v1/books", headers={"Accept": "text/csv"})
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines()[0] == "id,title,author,price"
    assert response.headers["Deprecation"] == "@1735689600"


def test_cors_for_an_allowed_origin_only():
    client = http_client(app)
    good = client.get("/v2/books", headers={"Origin": "https://app.example.com"})
    bad = client.get("/v2/books", headers={"Origin": "https://evil.example.net"})
    assert good.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in bad.headers
