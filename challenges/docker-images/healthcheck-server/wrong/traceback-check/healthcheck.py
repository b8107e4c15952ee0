"""Container health check: exit 0 when GET /health answers 200."""
import os
import sys
import urllib.request

URL = f"http://127.0.0.1:{os.environ.get('HEALTH_PORT', '8000')}/health"

with urllib.request.urlopen(URL, timeout=3) as reply:
    sys.exit(0 if reply.status == 200 else 1)
