"""HTTP plumbing shared by every vendor source and sink: client, auth, paginators, governor, errors.

Vendor-neutral: a vendor module supplies its facts as a `VendorProfile`.
"""

from sales_tasks.clients.core.auth import ApiAuth, ApiKeyHeaderAuth, BearerTokenAuth
from sales_tasks.clients.core.client import ApiClient, RequestStats, RetryPolicy
from sales_tasks.clients.core.errors import (
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
from sales_tasks.clients.core.governor import RateLimitGovernor
from sales_tasks.clients.core.headers import (
    RateLimitHeaders,
    parse_reset,
    parse_retry_after,
    requests_left,
    reset_at,
)
from sales_tasks.clients.core.paginators import (
    BasePaginator,
    OffsetPaginator,
    Page,
    PageNumberPaginator,
    PageRequest,
    ShortPagePaginator,
    paginate,
)
from sales_tasks.clients.core.profile import VendorProfile
from sales_tasks.clients.core.values import lenient_int, parse_utc, utc_now

__all__ = [
    "ActionableError",
    "ApiAuth",
    "ApiClient",
    "ApiKeyHeaderAuth",
    "AuthenticationError",
    "BadRequestError",
    "BasePaginator",
    "BearerTokenAuth",
    "ConnectFailedError",
    "FatalApiError",
    "InvalidResponseError",
    "OffsetPaginator",
    "OutcomeUnknownError",
    "Page",
    "PageNumberPaginator",
    "PageRequest",
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
    "ShortPagePaginator",
    "TransportError",
    "UnreachableError",
    "VendorApiError",
    "VendorProfile",
    "error_for_response",
    "lenient_int",
    "paginate",
    "parse_reset",
    "parse_retry_after",
    "parse_utc",
    "redact",
    "requests_left",
    "reset_at",
    "utc_now",
]
