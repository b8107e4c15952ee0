from app import WeatherServiceError, create_app
from judge import http_client, methods


class FakeWeather:
    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def current(self, city):
        self.calls.append(city)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class FakeClock:
    now = 0.0

    def __call__(self):
        return self.now


def test_injected_client_and_cache():
    fake, clock = FakeWeather({"temp_c": 20.0, "conditions": "sunny"}), FakeClock()
    # methods() lets the app call fake.current(...); the clock is called directly.
    app = create_app({"WEATHER_CLIENT": methods(fake, "current"), "CLOCK": clock})
    client = http_client(app)
    assert client.get("/weather/Paris").get_json() == {
        "city": "paris", "temp_c": 20.0, "conditions": "sunny", "cached": False}
    clock.now = 30
    assert client.get("/weather/paris").get_json()["cached"] is True
    assert fake.calls == ["paris"]


def test_service_error_is_502():
    fake = FakeWeather(WeatherServiceError("down"))
    client = http_client(create_app({"WEATHER_CLIENT": methods(fake, "current")}))
    response = client.get("/weather/paris")
    assert response.status_code == 502
    assert response.get_json() == {"error": "weather service unavailable"}


def test_timeout_is_504():
    fake = FakeWeather(TimeoutError())
    client = http_client(create_app({"WEATHER_CLIENT": methods(fake, "current")}))
    assert client.get("/weather/paris").status_code == 504
