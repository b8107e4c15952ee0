from flask import current_app, request


class HitCounter:
    """Counts requests per endpoint; the counts live on each app, not on this object."""

    key = "hit_counter"

    def __init__(self, app=None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.config.setdefault("HIT_COUNTER_EXCLUDE", [])
        app.extensions[self.key] = {}
        app.before_request(self._count)

    def _counts(self):
        return current_app.extensions[self.key]

    def _count(self):
        endpoint = request.endpoint
        if endpoint is None or endpoint in current_app.config["HIT_COUNTER_EXCLUDE"]:
            return
        counts = self._counts()
        counts[endpoint] = counts.get(endpoint, 0) + 1

    def hits(self, endpoint):
        return self._counts().get(endpoint, 0)

    def snapshot(self):
        return dict(self._counts())

    def reset(self):
        self._counts().clear()


counter = HitCounter()
