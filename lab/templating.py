"""Jinja filters (safe Markdown, small formatting helpers), and whether a request wants
its answer as JSON rather than a page."""

from __future__ import annotations

import json

from flask import Flask, request
from markdown_it import MarkdownIt
from markupsafe import Markup

from lab.packs.problems import topic_names

# html=False: raw HTML in a prompt is shown as text, never rendered; markdown-it also
# refuses javascript:, vbscript: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_markdown.render(text or ""))


def render_prompt(text: str) -> Markup:
    """A challenge's prompt.md under the page's own title: its leading `# heading`, which
    would say the title a second time, is left out."""
    lines = (text or "").lstrip("\n").split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return render_markdown("\n".join(lines))


def group_cases(tests: list[dict]) -> list[dict]:
    """The tests of a result with the parametrized cases of one test function under it:
    [{name, visibility, intent, outcome, passed, total, failing: [tests]}], in order.
    `outcome` is passed only when every case passed, else the first other outcome."""
    groups: dict[tuple, dict] = {}
    for test in tests or []:
        name = str(test.get("name") or "")
        base = name.split("[", 1)[0]
        key = (base, test.get("visibility"))
        group = groups.setdefault(key, {"name": base, "visibility": test.get("visibility"),
                                        "intent": test.get("intent", ""), "outcome": "passed",
                                        "passed": 0, "total": 0, "failing": []})
        group["total"] += 1
        if test.get("outcome") == "passed":
            group["passed"] += 1
        else:
            if group["outcome"] == "passed":
                group["outcome"] = test.get("outcome") or "failed"
            message = str(test.get("message") or "")
            intent = group["intent"]
            if intent and message.startswith(f"{intent}: "):
                message = message[len(intent) + 2:]  # said once, on the group's line
            group["failing"].append({**test, "detail": message})
    return list(groups.values())


def render_inline(text: str) -> Markup:
    """One line of Markdown (code spans, emphasis) without a paragraph around it."""
    return Markup(_markdown.renderInline(str(text or "")))


def number(value) -> str:
    """6.0 -> '6', 5.25 -> '5.25' (scores are fractional only when cases share points)."""
    if value is None:
        return ""
    value = round(float(value), 2)
    return str(int(value)) if value == int(value) else f"{value:g}"


def wants_json() -> bool:
    """The client prefers JSON to HTML (an Accept header that ranks application/json
    first): the same routes then answer scripts with data and browsers with pages."""
    return request.accept_mimetypes.best == "application/json"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["num"] = number
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["inline"] = render_inline
    app.jinja_env.filters["prompt"] = render_prompt
    app.jinja_env.filters["group_cases"] = group_cases
    # topic ids -> "Decorators, Closures"; one id -> its name
    app.jinja_env.filters["topic_names"] = lambda ids: ", ".join(
        topic_names().get(i, i) for i in ids)
    app.jinja_env.filters["topic_name"] = lambda topic_id: topic_names().get(topic_id, topic_id)
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.filters["seconds"] = lambda v: "" if v is None else f"{v:.2f} s"
