from app import app
from judge import http_client


def test_products_first_page_by_default():
    body = http_client(app).get("/products").get_json()
    assert body["page"] == 1 and body["per_page"] == 10 and body["total"] == 23
    assert [p["id"] for p in body["items"]] == list(range(1, 11))


def test_invalid_page_is_400():
    response = http_client(app).get("/products?page=abc")
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid query parameter", "field": "page"}


def test_json_order():
    response = http_client(app).post("/orders", json={"item": "Teapot", "quantity": 2})
    assert response.status_code == 201
    assert response.get_json() == {
        "item": "Teapot", "quantity": 2, "source": "json", "client": "anonymous"}


def test_form_order():
    response = http_client(app).post("/orders", data={"item": "Apron", "quantity": "4"})
    assert response.status_code == 201
    assert response.get_json()["source"] == "form"
    assert response.get_json()["quantity"] == 4
