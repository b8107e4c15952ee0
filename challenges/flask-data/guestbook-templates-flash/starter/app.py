from flask import Flask, flash, redirect, render_template, request, url_for
from jinja2 import DictLoader

app = Flask(__name__)
app.secret_key = "guestbook-dev-key"

# Newest entry last; the page shows them newest first.
ENTRIES = []

# Templates live in this dict so that everything stays in app.py.
TEMPLATES = {
    "layout.html": """<!doctype html>
<html>
<head><title>Guestbook</title></head>
<body>
<main></main>
</body>
</html>
""",
    "guestbook.html": """<!doctype html>
<html>
<head><title>Guestbook</title></head>
<body>
<main>
  {% for entry in entries %}
  <article class="entry">
    <h2>{{ entry.name|safe }}</h2>
    <p>{{ entry.message|safe }}</p>
  </article>
  {% endfor %}
</main>
</body>
</html>
""",
}

app.jinja_loader = DictLoader(TEMPLATES)


# TODO: register an `excerpt` filter.


@app.get("/")
def show_guestbook():
    return render_template("guestbook.html", entries=ENTRIES)


@app.post("/sign")
def sign():
    ENTRIES.append({"name": request.form.get("name"), "message": request.form.get("message")})
    return redirect(url_for("show_guestbook"))
