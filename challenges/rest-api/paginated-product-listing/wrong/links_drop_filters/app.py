import copy
from urllib.parse import urlencode

from flask import Flask, jsonify, request

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
SORT_FIELDS = ("id", "name", "price")
FILTERS = ("category", "min_price", "max_price", "sort")


class BadQuery(ValueError):
    """A query parameter that cannot be used; the message says which and why."""


def whole_number(name, default=None):
    """The query parameter `name` as an int >= 0 (digits only), or `default` if absent."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise BadQuery(f"{name} must be a whole number")
    return int(raw)


def create_app(products=None):
    app = Flask(__name__)
    store = copy.deepcopy(list(products or []))  # never share or mutate the caller's list

    def page_link(params, offset, limit):
        return f"{request.path}?{urlencode({**params, 'limit': limit, 'offset': offset})}"

    @app.get("/products")
    def list_products():
        try:
            limit = whole_number("limit", DEFAULT_LIMIT)
            offset = whole_number("offset", 0)
            min_price = whole_number("min_price")
            max_price = whole_number("max_price")
            if limit < 1:
                raise BadQuery("limit must be at least 1")
            sort = request.args.get("sort", "id")
            field = sort[1:] if sort.startswith("-") else sort
            if field not in SORT_FIELDS:
                raise BadQuery(f"sort must be one of {', '.join(SORT_FIELDS)}, optionally with '-'")
        except BadQuery as exc:
            return jsonify(error=str(exc)), 400
        limit = min(limit, MAX_LIMIT)

        rows = store
        category = request.args.get("category")
        if category is not None:
            rows = [p for p in rows if p["category"] == category]
        if min_price is not None:
            rows = [p for p in rows if p["price"] >= min_price]
        if max_price is not None:
            rows = [p for p in rows if p["price"] <= max_price]
        rows = sorted(rows, key=lambda p: p["id"])
        # Python's sort is stable, also with reverse=True, so ties stay in id order.
        rows = sorted(rows, key=lambda p: p[field], reverse=sort.startswith("-"))

        total = len(rows)
        page = rows[offset:offset + limit]
        kept = {}
        links = []
        if offset + limit < total:
            links.append(f'<{page_link(kept, offset + limit, limit)}>; rel="next"')
        if offset > 0:
            links.append(f'<{page_link(kept, max(0, offset - limit), limit)}>; rel="prev"')

        response = jsonify(items=page, total=total, limit=limit, offset=offset)
        response.headers["X-Total-Count"] = str(total)
        if links:
            response.headers["Link"] = ", ".join(links)
        return response

    return app
