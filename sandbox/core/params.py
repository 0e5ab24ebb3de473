"""Reading request parameters: the query string, a JSON or form body, and redaction of secrets.

Lists arrive as `name[]=a&name[]=b` (or a repeated `name=`) in the query string, or as JSON
arrays in the body. Bad input raises `BadInput`; the emulator decides how to answer it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qsl

import orjson

REDACTED = "[REDACTED]"


class BadInput(Exception):
    """Input the emulator refuses; `str(exc)` says what is wrong, for the caller."""


def int_param(params: dict[str, Any], name: str, default: int) -> int:
    """A positive integer parameter (numbers may come as strings); `default` when absent."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadInput(f"{name} must be an integer, got {value!r}") from None
    if number < 1:
        raise BadInput(f"{name} must be >= 1, got {number}")
    return number


def parse_query(query: str) -> dict[str, Any]:
    """`a=1&l[]=x&l[]=y` -> {"a": "1", "l": ["x", "y"]}; a repeated plain key becomes a list."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.endswith("[]"):
            out.setdefault(key[:-2], [])
            if not isinstance(out[key[:-2]], list):
                out[key[:-2]] = [out[key[:-2]]]
            out[key[:-2]].append(value)
        elif key in out:
            prev = out[key]
            out[key] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out[key] = value
    return out


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """A JSON object or form-encoded body as a dict; an empty body is `{}`."""
    if not body.strip():
        return {}
    if "x-www-form-urlencoded" in content_type:
        return parse_query(body.decode("utf-8", "replace"))
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadInput("request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadInput("request body must be a JSON object")
    return data


def redact(data: Any, secrets: Collection[str]) -> Any:
    """A copy of `data` with the value of every key in `secrets` replaced, at any depth."""
    if isinstance(data, dict):
        return {k: (REDACTED if k in secrets else redact(v, secrets)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v, secrets) for v in data]
    return data
