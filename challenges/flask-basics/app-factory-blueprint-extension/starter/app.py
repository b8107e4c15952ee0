from flask import Flask, jsonify

from config import DefaultConfig
from extensions import counter
from views import bp

app = Flask(__name__)
app.config.from_object(DefaultConfig)
app.register_blueprint(bp, url_prefix="/api")


def create_app(config=None):
    return app
