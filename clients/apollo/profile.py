"""Apollo's HTTP facts as the shared client core reads them (`sales_tasks.clients.core.VendorProfile`).

Facts relied on (Apollo's API reference, "Authentication" and "Rate limits", and responses
recorded from the live API):
- The key goes in the `x-api-key` header; `Authorization: Bearer` answers 401 plain text
  `Invalid access credentials.`. Task endpoints need a master key (else 403 API_INACCESSIBLE).
- Budget headers: `x-minute-requests-left`, `x-hourly-requests-left`, `x-24-hour-requests-left`
  (seen live); older docs name the day one `x-daily-requests-left`: both are read. Apollo sends
  no reset header.
- A 429 whose text says `... is N times per hour` (or `per day`) means that quota is spent until
  the window ends: waiting seconds and retrying cannot help. `per minute` is a short wait.
"""

from __future__ import annotations

import re

from sales_tasks.clients.core import ApiKeyHeaderAuth, RateLimitHeaders, VendorProfile

API_KEY_HEADER = "x-api-key"

_QUOTA = re.compile(r"\bis\s+\d[\d,]*\s+times\s+per\s+(hour|day)\b", re.IGNORECASE)


def apollo_quota_window(text: str) -> str | None:
    """`hour` or `day` when a 429's text names an hourly or daily quota, else None."""
    found = _QUOTA.search(text)
    return found.group(1).lower() if found else None


def apollo_auth(api_key: str) -> ApiKeyHeaderAuth:
    """Apollo's auth: the key in the `x-api-key` header (Bearer is refused)."""
    return ApiKeyHeaderAuth(name=API_KEY_HEADER, api_key=api_key)


APOLLO_RATE_LIMIT_HEADERS = RateLimitHeaders(
    remaining=(
        "x-minute-requests-left",
        "x-hourly-requests-left",
        "x-24-hour-requests-left",
        "x-daily-requests-left",
    ),
    reset=(),
)

APOLLO_PROFILE = VendorProfile(
    name="Apollo",
    auth=apollo_auth,
    key_hint="set APOLLO_API_KEY or the dlt secret api_key",
    auth_hint="check that the key is right and is sent in the x-api-key header",
    permission_hint="this endpoint needs a master API key (Apollo > Settings > Integrations >"
    " API keys)",
    base_url_example="https://api.apollo.io",
    rate_limit_headers=APOLLO_RATE_LIMIT_HEADERS,
    quota_window=apollo_quota_window,
)
