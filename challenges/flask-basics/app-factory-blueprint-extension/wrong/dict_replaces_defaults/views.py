from flask import Blueprint, current_app, jsonify

from extensions import counter

bp = Blueprint("api", __name__)


@bp.get("/ping")
def ping():
    return jsonify({"pong": True})


@bp.get("/hello")
def hello():
    return jsonify({"message": current_app.config["GREETING"]})


@bp.get("/stats")
def stats():
    return jsonify({"hits": counter.snapshot()})
