from collections.abc import Mapping

from flask import Flask, jsonify

from config import DefaultConfig
from extensions import counter
from views import bp


def create_app(config=None):
    """Build a new app: defaults, then `config` (a class, an object or a mapping)."""
    app = Flask(__name__)
    app.config.from_object(DefaultConfig)
    if isinstance(config, Mapping):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    counter.init_app(app)
    # The prefix is read only now, after the configuration is complete.
    app.register_blueprint(bp, url_prefix=app.config["API_PREFIX"])

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    return app
