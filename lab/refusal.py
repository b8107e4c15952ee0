"""What a service raises when it refuses a request, for the view to answer with."""

from __future__ import annotations


class RequestRefused(ValueError):
    """The request cannot be done; `status` is the HTTP status to answer (each service
    has its usual one) and `retry_after` (seconds), when set, the Retry-After of a 429
    that waiting cures."""

    default_status = 422

    def __init__(self, message: str, status: int | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = self.default_status if status is None else status
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}
