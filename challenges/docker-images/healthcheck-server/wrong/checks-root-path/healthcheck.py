"""Container health check: exit 0 when GET /health answers 200, otherwise exit 1."""
import os
import sys
import urllib.error
import urllib.request

URL = f"http://127.0.0.1:{os.environ.get('HEALTH_PORT', '8000')}/"


def main():
    try:
        with urllib.request.urlopen(URL, timeout=3) as reply:
            status = reply.status
    except urllib.error.HTTPError as exc:  # an answer, but not a 2xx one
        status = exc.code
    except OSError as exc:  # refused, unreachable or timed out
        print(f"unhealthy: {URL} unreachable ({exc})")
        return 1
    if status != 200:
        print(f"unhealthy: {URL} answered {status}")
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
