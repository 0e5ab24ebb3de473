"""HTTP plumbing shared by every vendor source and sink: client, governor, error tree.

Vendor-neutral: a vendor module supplies its facts as a `VendorProfile`.
"""

from clients.core.client import ApiClient, RequestStats, RetryPolicy
from clients.core.errors import (
    ActionableError,
    AuthenticationError,
    BadRequestError,
    ConnectFailedError,
    FatalApiError,
    InvalidResponseError,
    OutcomeUnknownError,
    PermissionDeniedError,
    QuotaExhaustedError,
    RateLimitedError,
    RetriableApiError,
    RetriesExhaustedError,
    ServerError,
    TransportError,
    UnreachableError,
    VendorApiError,
    error_for_response,
    redact,
)
from clients.core.governor import RateLimitGovernor
from clients.core.headers import (
    RateLimitHeaders,
    parse_reset,
    parse_retry_after,
    requests_left,
    reset_at,
)
from clients.core.profile import VendorProfile

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
    "QuotaExhaustedError",
    "RateLimitGovernor",
    "RateLimitHeaders",
    "RateLimitedError",
    "RequestStats",
    "RetriableApiError",
    "RetriesExhaustedError",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "UnreachableError",
    "VendorApiError",
    "VendorProfile",
    "error_for_response",
    "parse_reset",
    "parse_retry_after",
    "redact",
    "requests_left",
    "reset_at",
]
