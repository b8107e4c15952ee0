from flask import Blueprint, current_app, jsonify

from extensions import counter

bp = Blueprint("api", __name__)


@bp.get("/ping")
def ping():
    return jsonify({"pong": True})


# TODO: /hello and /stats
