from flask import Flask, abort, jsonify, redirect, request, url_for
from werkzeug.routing import BaseConverter

ARTICLES = {
    1: {"id": 1, "slug": "hello-flask", "title": "Hello Flask"},
    2: {"id": 2, "slug": "routing-101", "title": "Routing 101"},
    3: {"id": 3, "slug": "url-for-everything", "title": "url_for everything"},
}


class SlugConverter(BaseConverter):
    """Lowercase words of letters and digits joined by single hyphens."""

    regex = r"[a-z0-9-]+"


app = Flask(__name__)
# Converters must be known before any rule that names them is added.
app.url_map.converters["slug"] = SlugConverter


@app.get("/articles/")
def list_articles():
    return jsonify([ARTICLES[key] for key in sorted(ARTICLES)])


@app.get("/articles/<int:article_id>")
def show_article(article_id):
    article = ARTICLES.get(article_id)
    if article is None:
        abort(404)
    return jsonify(article)


@app.get("/a/<slug:slug>")
def article_by_slug(slug):
    for article in ARTICLES.values():
        if article["slug"] == slug:
            return redirect(url_for("show_article", article_id=article["id"]), code=301)
    abort(404)


@app.get("/latest")
def latest():
    return redirect(url_for("show_article", article_id=max(ARTICLES)), code=302)


@app.post("/articles/search")
def search_articles():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        abort(400)
    needle = data["q"].lower()
    ids = [key for key in sorted(ARTICLES) if needle in ARTICLES[key]["title"].lower()]
    return jsonify({"ids": ids})


@app.post("/search")
def legacy_search():
    return redirect(url_for("search_articles"), code=308)


@app.get("/about")
def about():
    return "A tiny article service."
