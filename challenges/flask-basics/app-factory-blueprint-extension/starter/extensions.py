from flask import current_app, request


class HitCounter:
    """Counts requests per endpoint."""

    def __init__(self, app=None):
        self.counts = {}

    def init_app(self, app):
        pass

    def hits(self, endpoint):
        return self.counts.get(endpoint, 0)

    def snapshot(self):
        return self.counts

    def reset(self):
        self.counts = {}


counter = HitCounter()
