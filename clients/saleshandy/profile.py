"""Saleshandy's HTTP facts as the shared client core reads them (`sales_tasks.clients.core.VendorProfile`).

Facts relied on (Saleshandy's Open API reference and OpenAPI file; third-party clients):
- The key goes in the `x-api-key` header. A few doc examples show `Authorization: Bearer`; the
  auth section and working clients use only `x-api-key`, so only that is sent.
- A wrong key answers HTTP **400** with error code `1001: Invalid token` (the spec lists it under
  400, not 401); a 401 is read the same way in case the live API differs.
- Rate limits are "fair usage" with no published numbers: answers carry `x-ratelimit-remaining`
  and `x-ratelimit-reset` (an HTTP date; clients parse it with `Date.parse`), and a 429 carries
  `retry-after`. About 20 calls per window were seen on prospects.
"""

from __future__ import annotations

from typing import Any

import httpx

from sales_tasks.clients.core import ApiKeyHeaderAuth, RateLimitHeaders, VendorProfile

API_KEY_HEADER = "x-api-key"
INVALID_TOKEN_CODE = 1001
INVALID_TOKEN_TEXT = "invalid token"


def saleshandy_auth(api_key: str) -> ApiKeyHeaderAuth:
    """Saleshandy's auth: the key in the `x-api-key` header."""
    return ApiKeyHeaderAuth(name=API_KEY_HEADER, api_key=api_key)


def _codes(body: Any) -> list[Any]:
    """Every error code an answer names: top level, or inside `error` / `errors[]`."""
    if not isinstance(body, dict):
        return []
    found = [body.get(k) for k in ("code", "errorCode", "error_code", "statusCode")]
    inner = body.get("error")
    errors = body.get("errors")
    for item in ([inner] if isinstance(inner, dict) else []) + (
        errors if isinstance(errors, list) else []
    ):
        if isinstance(item, dict):
            found += [item.get(k) for k in ("code", "errorCode", "error_code")]
    return [code for code in found if code is not None and not isinstance(code, bool)]


def is_invalid_token(response: httpx.Response) -> bool:
    """A 400 that says `1001` / `Invalid token`: Saleshandy's answer to a wrong key."""
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return INVALID_TOKEN_TEXT in response.text.lower()
    if any(str(code).strip() == str(INVALID_TOKEN_CODE) for code in _codes(body)):
        return True
    message = body.get("message") if isinstance(body, dict) else None
    return isinstance(message, str) and INVALID_TOKEN_TEXT in message.lower()


SALESHANDY_RATE_LIMIT_HEADERS = RateLimitHeaders(
    remaining=("x-ratelimit-remaining",),
    reset=("x-ratelimit-reset",),
)

SALESHANDY_PROFILE = VendorProfile(
    name="Saleshandy",
    auth=saleshandy_auth,
    key_hint="set SALESHANDY_API_KEY or the dlt secret api_key",
    auth_hint="check that the key is right (Saleshandy > Settings > API key) and is sent in the"
    " x-api-key header",
    permission_hint="the key lacks access to this endpoint (check the plan and the key's scope)",
    base_url_example="https://open-api.saleshandy.com",
    rate_limit_headers=SALESHANDY_RATE_LIMIT_HEADERS,
    auth_failure=is_invalid_token,
)
