"""Cache rules for pages that hold work in progress."""

from __future__ import annotations

from flask import Response, make_response


def no_store(body: str) -> Response:
    """A page with an editor: never kept by the browser's HTTP cache, so Back and a restored
    tab fetch it again with the newest saved draft instead of showing the text the page
    first loaded with (and letting autosave write that old text back)."""
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response
