"""HTTP plumbing shared by every vendor source and sink: client, governor, error tree."""

from sources.core.client import ApiClient, RequestStats, RetryPolicy
from sources.core.errors import (
    ActionableError,
    AuthenticationError,
    BadRequestError,
    ConnectFailedError,
    FatalApiError,
    InvalidResponseError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    RetriableApiError,
    RetriesExhaustedError,
    ServerError,
    TransportError,
    VendorApiError,
    error_for_response,
    redact,
)
from sources.core.governor import RateLimitGovernor, requests_left

__all__ = [
    "ActionableError",
    "ApiClient",
    "AuthenticationError",
    "BadRequestError",
    "ConnectFailedError",
    "FatalApiError",
    "InvalidResponseError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitGovernor",
    "RateLimitedError",
    "RequestStats",
    "RetriableApiError",
    "RetriesExhaustedError",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "VendorApiError",
    "error_for_response",
    "redact",
    "requests_left",
]
