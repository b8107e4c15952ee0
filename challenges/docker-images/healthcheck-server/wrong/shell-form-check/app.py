"""Quote service: GET / returns a quote, GET /health reports readiness.

/health answers 200 {"status": "ok"}, or 503 {"status": "maintenance"} while the
file /tmp/maintenance exists.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8000"))
MAINTENANCE_FLAG = "/tmp/maintenance"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            if os.path.exists(MAINTENANCE_FLAG):
                self._json(503, {"status": "maintenance"})
            else:
                self._json(200, {"status": "ok"})
        elif self.path == "/":
            self._json(200, {"quote": "Ship small changes, and ship them often."})
        else:
            self._json(404, {"error": "not found"})

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # keep the container log quiet
        pass


if __name__ == "__main__":
    print(f"quote service listening on port {PORT}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
