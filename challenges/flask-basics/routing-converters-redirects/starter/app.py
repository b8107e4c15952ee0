from flask import Flask, abort, jsonify, redirect, request, url_for
from werkzeug.routing import BaseConverter

ARTICLES = {
    1: {"id": 1, "slug": "hello-flask", "title": "Hello Flask"},
    2: {"id": 2, "slug": "routing-101", "title": "Routing 101"},
    3: {"id": 3, "slug": "url-for-everything", "title": "url_for everything"},
}


class SlugConverter(BaseConverter):
    """TODO: match lowercase words of letters and digits joined by single hyphens."""


app = Flask(__name__)


@app.route("/articles")
def list_articles():
    return jsonify(list(ARTICLES.values()))


@app.route("/articles/<article_id>")
def show_article(article_id):
    return jsonify(ARTICLES.get(int(article_id)))


# TODO: /a/<slug>, /latest, /articles/search, /search and /about
