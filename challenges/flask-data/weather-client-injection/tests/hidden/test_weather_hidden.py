import pytest
from app import WeatherServiceError, create_app
from judge import http_client, methods, remote_module, subclass

SUNNY = {"temp_c": 21.5, "conditions": "sunny"}


class FakeWeather:
    """Answers from a dict; an exception instance as an answer is raised."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    def current(self, city):
        self.calls.append(city)
        answer = self.answers[city]
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def make(fake, clock=None, **config):
    # The app may call fake.current(...); the test keeps the fake and reads its calls.
    app = create_app({"TESTING": True, "WEATHER_CLIENT": methods(fake, "current"),
                      "CLOCK": clock or FakeClock(), **config})
    return http_client(app)


def service_failure(kind):
    """The exception a failing client raises, made when the test runs: a TimeoutError, the
    candidate's WeatherServiceError, or a subclass of it made in the candidate's process."""
    if kind == "timeout":
        return TimeoutError("slow")
    if kind == "service-error":
        return WeatherServiceError("down")
    Maintenance = subclass(WeatherServiceError, "Maintenance")  # noqa: N806
    return Maintenance("later")


def test_uses_the_injected_client():
    """The endpoint asks the client from config and answers 200 with its data, cached false"""
    fake = FakeWeather(paris=SUNNY, oslo={"temp_c": -3, "conditions": "snow", "extra": 1})
    client = make(fake)
    response = client.get("/weather/paris")
    assert response.status_code == 200
    body = response.get_json()
    assert type(body["cached"]) is bool and type(body["temp_c"]) is float
    assert body == {"city": "paris", "temp_c": 21.5, "conditions": "sunny", "cached": False}
    oslo = client.get("/weather/oslo").get_json()
    assert type(oslo["temp_c"]) is int
    assert oslo == {"city": "oslo", "temp_c": -3, "conditions": "snow", "cached": False}
    assert fake.calls == ["paris", "oslo"]


def test_city_is_normalised_for_the_client_and_the_cache():
    """The client gets the stripped lower-case name, and all spellings share one cache entry"""
    fake = FakeWeather(paris=SUNNY)
    client = make(fake)
    assert client.get("/weather/PARIS").get_json()["city"] == "paris"
    second = client.get("/weather/%20Paris%20").get_json()
    assert second == {"city": "paris", "temp_c": 21.5, "conditions": "sunny", "cached": True}
    assert fake.calls == ["paris"]


@pytest.mark.parametrize("ttl, config", [(60, {}), (5, {"WEATHER_CACHE_SECONDS": 5})],
                         ids=["default-60", "configured-5"])
def test_entries_expire_after_exactly_the_ttl(ttl, config):
    """An entry is served from cache while younger than the TTL and refetched at exactly the TTL"""
    fake = FakeWeather(rome=SUNNY)
    clock = FakeClock(500.0)
    client = make(fake, clock, **config)
    seen = []
    for offset in (0, ttl - 0.001, ttl, 2 * ttl - 0.001, 2 * ttl):
        clock.now = 500.0 + offset
        seen.append(client.get("/weather/rome").get_json()["cached"])
    assert seen == [False, True, False, True, False]
    assert fake.calls == ["rome"] * 3


def test_zero_ttl_disables_the_cache():
    """WEATHER_CACHE_SECONDS = 0 sends every request to the client"""
    fake = FakeWeather(rome=SUNNY)
    client = make(fake, WEATHER_CACHE_SECONDS=0)
    assert [client.get("/weather/rome").get_json()["cached"] for _ in range(2)] == [False, False]
    assert fake.calls == ["rome", "rome"]


def test_cache_is_per_city():
    """Each city has its own entry"""
    fake = FakeWeather(rome=SUNNY, lima={"temp_c": 18.0, "conditions": "fog"})
    client = make(fake)
    client.get("/weather/rome")
    lima = client.get("/weather/lima").get_json()
    assert lima == {"city": "lima", "temp_c": 18.0, "conditions": "fog", "cached": False}
    assert fake.calls == ["rome", "lima"]


def test_each_app_has_its_own_cache():
    """Two apps from the factory never share cached data"""
    first = FakeWeather(rome=SUNNY)
    second = FakeWeather(rome={"temp_c": 9.0, "conditions": "rain"})
    first_client, second_client = make(first), make(second)
    first_client.get("/weather/rome")
    body = second_client.get("/weather/rome").get_json()
    assert body == {"city": "rome", "temp_c": 9.0, "conditions": "rain", "cached": False}
    assert second.calls == ["rome"]


@pytest.mark.parametrize(
    "kind, status, message",
    [("timeout", 504, "weather service timed out"),
     ("service-error", 502, "weather service unavailable"),
     ("service-error-subclass", 502, "weather service unavailable")],
    ids=["timeout", "service-error", "service-error-subclass"],
)
def test_client_failures_become_json_gateway_errors(kind, status, message):
    """TimeoutError is a JSON 504 and WeatherServiceError (or a subclass) a JSON 502"""
    response = make(FakeWeather(rome=service_failure(kind))).get("/weather/rome")
    assert response.status_code == status
    assert response.is_json
    assert response.get_json() == {"error": message}


def test_failures_are_not_cached():
    """After a failure the next request asks the client again"""
    fake = FakeWeather(rome=[TimeoutError(), WeatherServiceError(), SUNNY])
    client = make(fake)
    statuses = [client.get("/weather/rome").status_code for _ in range(4)]
    assert statuses == [504, 502, 200, 200]
    assert fake.calls == ["rome"] * 3


@pytest.mark.parametrize(
    "payload",
    [None, [21.5, "sunny"], {"temp_c": "21", "conditions": "sunny"},
     {"temp_c": True, "conditions": "sunny"}, {"temp_c": 21.5}, {"conditions": "sunny"},
     {"temp_c": 21.5, "conditions": 7}],
    ids=["none", "list", "string-temp", "bool-temp", "no-conditions", "no-temp", "int-conditions"],
)
def test_malformed_answers_are_502_and_not_cached(payload):
    """A client answer that is not {temp_c: number, conditions: str} is a JSON 502 and is not cached"""
    fake = FakeWeather(rome=[payload, SUNNY])
    client = make(fake)
    response = client.get("/weather/rome")
    assert response.status_code == 502
    assert response.get_json() == {"error": "bad response from weather service"}
    assert client.get("/weather/rome").get_json()["cached"] is False
    assert len(fake.calls) == 2


def test_other_exceptions_are_not_disguised_as_gateway_errors():
    """A bug-like exception from the client is a 500, not a 502 or 504"""
    fake = FakeWeather(rome=KeyError("bug"), lima={"temp_c": 18.0, "conditions": "fog"})
    app = create_app({"WEATHER_CLIENT": methods(fake, "current"), "CLOCK": FakeClock()})
    app.logger.disabled = True
    client = http_client(app)
    assert client.get("/weather/rome").status_code == 500
    # The same app still answers normally for a city whose lookup works.
    lima = client.get("/weather/lima")
    assert lima.status_code == 200
    assert lima.get_json() == {"city": "lima", "temp_c": 18.0, "conditions": "fog",
                               "cached": False}
    assert fake.calls == ["rome", "lima"]


def test_defaults():
    """Defaults: 60 seconds, time.monotonic as the clock, and the cache works without a fake clock"""
    app = create_app({"WEATHER_CLIENT": methods(FakeWeather(rome=SUNNY), "current")})
    assert app.config["WEATHER_CACHE_SECONDS"] == 60
    # The candidate's own time.monotonic, the function itself.
    assert app.config["CLOCK"] is remote_module("time").monotonic
    client = http_client(app)
    assert [client.get("/weather/rome").get_json()["cached"] for _ in range(2)] == [False, True]
    assert create_app().config["WEATHER_CLIENT"] is not None
