import json
import os
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


# One client for the whole module.
client = HttpWeatherClient(os.environ.get("WEATHER_URL"))


def create_app(config=None):
    app = Flask(__name__)
    app.config.update(WEATHER_CACHE_SECONDS=60)
    if config:
        app.config.update(config)

    @app.get("/weather/<city>")
    def weather(city):
        data = client.current(city)
        return jsonify({"city": city, "temp_c": data["temp_c"], "conditions": data["conditions"]})

    return app
