from flask import Flask, flash, redirect, render_template, request, url_for
from jinja2 import DictLoader

app = Flask(__name__)
app.secret_key = "guestbook-dev-key"

# Newest entry last; the page shows them newest first.
ENTRIES = []

TEMPLATES = {
    "layout.html": """<!doctype html>
<html>
<head><title>{% block title %}Guestbook{% endblock %}</title></head>
<body>
{% with messages = get_flashed_messages(with_categories=true) %}
  {% if messages %}
  <ul class="flashes">
    {% for category, message in messages %}
    <li class="flash {{ category }}">{{ message }}</li>
    {% endfor %}
  </ul>
  {% endif %}
{% endwith %}
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "guestbook.html": """{% extends "layout.html" %}
{% block title %}Guestbook ({{ entries|length }}){% endblock %}
{% block content %}
  {% for entry in entries %}
  <article class="entry">
    <h2>{{ entry.name }}</h2>
    <p>{{ entry.message|excerpt }}</p>
  </article>
  {% else %}
  <p class="empty">No entries yet.</p>
  {% endfor %}
{% endblock %}
""",
}

app.jinja_loader = DictLoader(TEMPLATES)


@app.template_filter("excerpt")
def excerpt(text, limit=40):
    """Shorten text to at most `limit` characters plus an ellipsis."""
    text = str(text).strip()
    if len(text) < limit:
        return text
    return text[:limit].rstrip() + "\u2026"


@app.get("/")
def show_guestbook():
    return render_template("guestbook.html", entries=list(reversed(ENTRIES)))


@app.post("/sign")
def sign():
    name = request.form.get("name", "").strip() or "Anonymous"
    message = request.form.get("message", "").strip()
    if not message:
        flash("Please write a message.", "error")
    else:
        ENTRIES.append({"name": name, "message": message})
        flash(f"Thanks for signing, {name}!", "success")
    return redirect(url_for("show_guestbook"), code=303)
