"""The one exception type the server turns into an HTTP error answer."""

from __future__ import annotations

__all__ = ["ApiError", "bad_request", "not_found", "unprocessable"]


class ApiError(Exception):
    """An error with an HTTP status and a stable code, answered as the canonical error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, object]:
        """The body every official client can read: nested ``error`` for TS/PY, top level for GO."""
        return {
            "error": {"message": self.message, "code": self.code},
            "code": self.code,
            "message": self.message,
        }


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


def unprocessable(message: str) -> ApiError:
    return ApiError(422, "VALIDATION_ERROR", message)
