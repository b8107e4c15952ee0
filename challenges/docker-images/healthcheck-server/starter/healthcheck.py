"""Container health check (unfinished)."""
import os

os.system("curl -f http://localhost:8000/health")
