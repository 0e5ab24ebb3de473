"""Ids and timestamps in the shapes Apollo.io uses.

Facts relied on (seed 002 and the OpenAPI examples):
- Ids are 24-hex-char Mongo ObjectIds: 4-byte creation time, 5 bytes per process, 3-byte counter.
- `created_at` renders as `2021-01-04T15:48:10.467Z`; `due_at` as
  `2021-01-04T15:46:48.000+00:00`. `due_at` in requests is ISO 8601, GMT unless an offset is given.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime

COUNTER_MOD = 1 << 24


def id_parts(seed: int, kind: str) -> tuple[str, int]:
    """The 10-hex "machine" part and the counter start of an id family `(seed, kind)`."""
    digest = hashlib.blake2b(f"{seed}:{kind}".encode(), digest_size=8).digest()
    return digest[:5].hex(), int.from_bytes(digest[5:8], "big")


def make_oid(ts_seconds: int, machine: str, counter: int) -> str:
    """An ObjectId-like id: `ts_seconds` as 8 hex, `machine` (10 hex), `counter` as 6 hex."""
    return f"{ts_seconds & 0xFFFFFFFF:08x}{machine}{counter % COUNTER_MOD:06x}"


def oid_index(oid: str, machine: str, start: int) -> int | None:
    """Inverse of `make_oid` for one id family: the index, or None when `oid` is not of it."""
    if len(oid) != 24 or oid[8:18] != machine:
        return None
    try:
        counter = int(oid[18:], 16)
    except ValueError:
        return None
    return (counter - start) % COUNTER_MOD


def iso_ms_z(ms: int) -> str:
    """`2021-01-04T15:48:10.467Z` (the `created_at` shape)."""
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
        f"{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def iso_ms_offset(ms: int) -> str:
    """`2021-01-04T15:46:48.000+00:00` (the `due_at` shape)."""
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
        f"{t.tm_sec:02d}.{ms % 1000:03d}+00:00"
    )


_ISO_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$"
)


def parse_iso(value: str) -> int:
    """Epoch milliseconds of an ISO 8601 date-time; no offset means GMT.

    Raises:
        ValueError: `value` is not an ISO 8601 date or date-time.
    """
    text = value.strip()
    if not _ISO_RE.match(text):
        raise ValueError(value)
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    if "." in text:
        # fromisoformat accepts at most 6 fraction digits; clients may send 9 (nanoseconds).
        head, _, rest = text.partition(".")
        digits = re.match(r"\d+", rest)
        frac = digits.group(0) if digits else ""
        text = head + "." + (frac[:6].ljust(6, "0")) + rest[len(frac) :]
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _to_ms(parsed)


def _to_ms(parsed: datetime) -> int:
    delta = parsed - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def now_ms() -> int:
    return time.time_ns() // 1_000_000
