"""Ozon's error answers: ``{"code": <grpc code>, "message": ..., "details": []}`` with an HTTP status."""

from __future__ import annotations

import json

INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE = (
    3,
    5,
    7,
    8,
    12,
    13,
    14,
)
RATE_LIMIT_MESSAGE = "You have reached request rate limit per second"
METHOD_NOT_ALLOWED_MESSAGE = "method is not allowed"


class ApiError(Exception):
    def __init__(self, http: int, code: int, message: str) -> None:
        super().__init__(message)
        self.http = http
        self.code = code
        self.message = message

    def body(self) -> bytes:
        return error_body(self.code, self.message)


def error_body(code: int, message: str) -> bytes:
    return json.dumps({"code": code, "message": message, "details": []}, ensure_ascii=False).encode()


def invalid(field: str, reason: str) -> ApiError:
    """A request validation error naming the field, in the style of Ozon's validator."""
    return ApiError(400, INVALID_ARGUMENT, f"Request validation error: invalid {field}: {reason}")


def refused(message: str) -> ApiError:
    """A business-state refusal (400, code 3) with a method-specific code as the message."""
    return ApiError(400, INVALID_ARGUMENT, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, NOT_FOUND, message)


def premium_required() -> ApiError:
    return ApiError(403, PERMISSION_DENIED, "Premium Plus subscription is required for this method")
