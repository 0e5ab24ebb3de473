"""Reply.io's HTTP facts as the shared client core reads them (`sales_tasks.clients.core.VendorProfile`).

Facts relied on (VENDOR-SPECS.md §1.1-1.2; RS = Reply's OpenAPI 3.1 bundle; seed 004):
- The key goes in `Authorization: Bearer <key>` (RS security scheme `bearerAuth`, @1,791,500;
  an OAuth token goes in the same header); older pages (seed 004) say the `X-API-Key` header.
  Both are supported by configuration (`auth_scheme`), Bearer by default.
- A master key may act for one user with `X-User-Id` or `X-User-Email` (RD authentication page).
- 401 has an empty body and `WWW-Authenticate: Bearer` (RS @13,500); 403 means the key lacks
  the scope (`tasks:read` to list and read tasks, `tasks:write` to create) or the feature.
- Limits: 100 requests a minute and 3,000 an hour per user, shared by every app acting for that
  user (RD rate-limits page); Reply documents no budget headers, so the client paces by these
  numbers (`documented_limits`) and honours a 429's `Retry-After` (integer seconds, at least 1,
  RS @16,500) on top. A `Retry-After` past the client's longest accepted wait ends the run with
  a one-line quota message instead of an hour's sleep.
"""

from __future__ import annotations

import re
from typing import Any

from dlt.common.configuration.specs import configspec
from dlt.common.configuration.specs.exceptions import NativeValueError
from dlt.common.typing import TSecretStrValue

from sales_tasks.clients.core import (
    ApiAuth,
    ApiKeyHeaderAuth,
    BearerTokenAuth,
    RateLimitHeaders,
    VendorProfile,
)

BEARER = "bearer"
X_API_KEY = "x-api-key"
AUTH_SCHEMES = (BEARER, X_API_KEY)
API_KEY_HEADER = "X-API-Key"
USER_ID_HEADER = "X-User-Id"
USER_EMAIL_HEADER = "X-User-Email"

# Reply's documented limits per user: (requests, window seconds).
DOCUMENTED_LIMITS: tuple[tuple[int, float], ...] = ((100, 60.0), (3_000, 3_600.0))

_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(s|m|min|h)?\s*$", re.IGNORECASE)
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3_600.0}


def parse_limits(text: str) -> tuple[tuple[int, float], ...]:
    """`"100/60,3000/3600"` (or `100/1m, 3000/1h`) as `((100, 60.0), (3000, 3600.0))`.

    Raises:
        ValueError: a part is not `REQUESTS/SECONDS` with positive numbers.
    """
    limits = []
    for part in str(text).split(","):
        found = _LIMIT.match(part)
        if not found or int(found.group(1)) < 1 or float(found.group(2)) <= 0:
            raise ValueError(
                f"rate limit {part.strip()!r} is not REQUESTS/SECONDS (e.g. 100/60,3000/3600)"
            )
        unit = _UNIT[(found.group(3) or "").lower()]
        limits.append((int(found.group(1)), float(found.group(2)) * unit))
    return tuple(limits)


def format_limits(limits: tuple[tuple[int, float], ...]) -> str:
    return ",".join(f"{n}/{w:g}" for n, w in limits)


@configspec
class ReplyAuth(ApiAuth):
    """Reply's auth: the key as `Authorization: Bearer` or `X-API-Key`, and the optional user
    an organization key acts for (`X-User-Id` or `X-User-Email`)."""

    api_key: TSecretStrValue | None = None
    scheme: str = BEARER
    user_id: str | None = None
    user_email: str | None = None

    def parse_native_representation(self, value: Any) -> None:
        if not isinstance(value, str):
            raise NativeValueError(type(self), value, "an API key must be a string")
        self.api_key = value

    def _key_auth(self) -> ApiAuth:
        if self.scheme == X_API_KEY:
            return ApiKeyHeaderAuth(name=API_KEY_HEADER, api_key=self.api_key)
        return BearerTokenAuth(token=self.api_key)

    def headers(self) -> dict[str, str]:
        headers = self._key_auth().headers()
        if self.user_id:
            headers[USER_ID_HEADER] = str(self.user_id)
        if self.user_email:
            headers[USER_EMAIL_HEADER] = str(self.user_email)
        return headers

    def secret(self) -> str:
        return str(self.api_key or "")

    def __repr__(self) -> str:
        return f"ReplyAuth(scheme={self.scheme!r})"

    __str__ = __repr__


def reply_auth(
    api_key: str,
    scheme: str = BEARER,
    *,
    user_id: str | int | None = None,
    user_email: str | None = None,
) -> ReplyAuth:
    """Reply's auth from a key and the configured scheme (`bearer` or `x-api-key`).

    Raises:
        ValueError: an unknown scheme (one line, naming the valid ones).
    """
    chosen = str(scheme or BEARER).strip().lower()
    if chosen not in AUTH_SCHEMES:
        raise ValueError(
            f"unknown Reply auth_scheme {scheme!r}: use {BEARER} (Authorization: Bearer, the"
            f" default) or {X_API_KEY} (the X-API-Key header)"
        )
    return ReplyAuth(
        api_key=api_key,
        scheme=chosen,
        user_id=None if user_id in (None, "") else str(user_id),
        user_email=user_email or None,
    )


def _bearer(api_key: str) -> ApiAuth:
    return reply_auth(api_key)


REPLY_PROFILE = VendorProfile(
    name="Reply",
    auth=_bearer,
    key_hint="set REPLY_API_KEY or the dlt secret api_key",
    auth_hint=(
        "check that the key is right and sent the way this account expects: Authorization:"
        " Bearer by default, or auth_scheme = x-api-key for the X-API-Key header"
    ),
    permission_hint=(
        "the key lacks the scope this endpoint needs (tasks:read to list tasks; make a key with"
        " it in Reply > Settings > API), or an organization key names a user outside the"
        " organization (X-User-Id / X-User-Email)"
    ),
    base_url_example="https://api.reply.io",
    # Reply documents no budget headers; the common names are read in case it sends them.
    rate_limit_headers=RateLimitHeaders(),
    documented_limits=DOCUMENTED_LIMITS,
)
