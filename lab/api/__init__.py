"""The JSON API under /api/v1: one blueprint (lab/api/blueprint.py), its routes by area
(practice.py, interviews.py, led.py) and one OpenAPI document (openapi.py).

Importing the package registers every route on the blueprint, so the app needs only
`from lab.api import api`.
"""

from lab.api import interviews, led, openapi, practice  # noqa: F401  (each adds its routes)
from lab.api.blueprint import api

__all__ = ["api"]
