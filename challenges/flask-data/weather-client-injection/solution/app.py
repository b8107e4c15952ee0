import json
import time
import urllib.error
import urllib.parse
import urllib.request

from flask import Flask, current_app, jsonify


class WeatherServiceError(Exception):
    """The weather service failed or could not be reached."""


class HttpWeatherClient:
    """Client for the real weather service. The tests never use it."""

    def __init__(self, base_url, timeout=2.0):
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout

    def current(self, city):
        if self.base_url is None:
            raise WeatherServiceError("no WEATHER_URL configured")
        url = f"{self.base_url}/current?{urllib.parse.urlencode({'city': city})}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return json.load(response)
        except TimeoutError:
            raise
        except (urllib.error.URLError, ValueError) as exc:
            raise WeatherServiceError(str(exc)) from exc


def is_number(value):
    return type(value) in (int, float)


def create_app(config=None):
    app = Flask(__name__)
    app.config.update(
        WEATHER_URL=None,
        WEATHER_CACHE_SECONDS=60,
        CLOCK=time.monotonic,
        WEATHER_CLIENT=None,
    )
    if config:
        app.config.update(config)
    if app.config["WEATHER_CLIENT"] is None:
        app.config["WEATHER_CLIENT"] = HttpWeatherClient(app.config["WEATHER_URL"])

    # One cache per app: city -> (time stored, payload)
    cache = {}

    @app.get("/weather/<city>")
    def weather(city):
        key = city.strip().lower()
        if not key:
            return jsonify({"error": "city is required"}), 400
        clock = current_app.config["CLOCK"]
        ttl = current_app.config["WEATHER_CACHE_SECONDS"]

        entry = cache.get(key)
        if entry is not None and clock() - entry[0] < ttl:
            return jsonify({**entry[1], "cached": True})

        client = current_app.config["WEATHER_CLIENT"]
        try:
            data = client.current(key)
        except TimeoutError:
            return jsonify({"error": "weather service timed out"}), 504
        except WeatherServiceError:
            return jsonify({"error": "weather service unavailable"}), 502

        if (not isinstance(data, dict) or not is_number(data.get("temp_c"))
                or not isinstance(data.get("conditions"), str)):
            return jsonify({"error": "bad response from weather service"}), 502

        payload = {"city": key, "temp_c": data["temp_c"], "conditions": data["conditions"]}
        cache[key] = (clock(), payload)
        return jsonify({**payload, "cached": False})

    return app
