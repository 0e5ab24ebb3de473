"""Lenient readings of the values vendors send, shared by every source and sink.

Vendors send numbers as strings (`"page": "1"`), timestamps in several ISO 8601 forms (`...436Z`,
`...000+00:00`, naive GMT) or as epoch numbers; these helpers read each the one way, so the
source and the sink never disagree about what a value means.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def utc_now() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def account_name(raw: str) -> str:
    """The one rule for an account name, for extract and push alike: trimmed, case-insensitive
    (`Acme`, `acme` and ` acme ` are one account, read as `acme`), letters, digits, `_` or `-`,
    starting with a letter or digit, at most 63 characters.

    Raises:
        ValueError: one line saying what the name may hold.
    """
    name = raw.strip().casefold()
    if not _ACCOUNT.match(name):
        raise ValueError(
            f"account name {raw!r}: use letters, digits, '_' or '-' (at most 63, starting with a"
            " letter or digit); case and surrounding spaces do not count"
        )
    return name


def lenient_int(value: Any) -> int | None:
    """An int from an int, a float or a numeric string (`"200"`, `"200.0"`); else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, (str, bytes)):
        text = value.strip() if isinstance(value, str) else value.decode().strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if math.isfinite(number) else None
    return None


def parse_utc(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from an ISO 8601 text or epoch seconds/milliseconds; else None.

    Naive texts are taken as UTC (GMT), as vendors document them.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return None
        seconds = value / 1000 if value > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
