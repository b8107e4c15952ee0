from collections.abc import Mapping

from flask import Flask, jsonify

from config import DefaultConfig
from extensions import counter
from views import bp


def create_app(config=None):
    """Build a new app: defaults, then `config` (a class, an object or a mapping)."""
    app = Flask(__name__)
    if isinstance(config, Mapping):
        app.config.from_mapping(config)
    else:
        app.config.from_object(config or DefaultConfig)

    counter.init_app(app)
    # The prefix is read only now, after the configuration is complete.
    app.register_blueprint(bp, url_prefix=app.config["API_PREFIX"])

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    return app
