"""Reply.io's error answers: RFC 7807 `application/problem+json`.

Facts relied on (NOTES.md section 3, Reply's CLI): errors carry `type`, `title`, `status`,
`detail` and a stable `code` slug (`contact.notFound`, `validation.failed`); a 400 lists the
fields at fault in `errors[]`; a 401 has an empty body and `WWW-Authenticate: Bearer`; a 429
carries `Retry-After` seconds.

Guesses: the `type` URL (`https://api.reply.io/problems/<code>`), the entry shape of `errors[]`
(`{field, code, message}`, `field` a dotted path such as `template.body`), the codes other than
the two documented ones (`task.notFound`, `rateLimit.exceeded`, `route.notFound`,
`method.notAllowed`, `user.notInOrganization`), and a `traceId` on every problem (ASP.NET's
default).
"""

from __future__ import annotations

import itertools
from http import HTTPStatus
from typing import Any

import orjson

from sandbox.core.http import Response

PROBLEM_JSON = "application/problem+json; charset=utf-8"
TYPE_BASE = "https://api.reply.io/problems/"
_trace = itertools.count(1)


class Problem(Exception):
    """An error answer an endpoint raises; `response()` renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors, self.headers = errors, headers or []

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": TYPE_BASE + self.code,
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors is not None:
            data["errors"] = self.errors
        data["traceId"] = f"00-{next(_trace):032x}-{0:016x}-00"
        return data

    def response(self) -> Response:
        return Response(
            self.status, orjson.dumps(self.body()), content_type=PROBLEM_JSON, headers=self.headers
        )


def field_error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    """One entry of a 400's `errors[]`."""
    return {"field": field, "code": code, "message": message}


def validation(errors: list[dict[str, str]]) -> Problem:
    """The 400 for a request whose fields Reply refuses."""
    fields = ", ".join(e["field"] for e in errors)
    return Problem(400, "validation.failed", f"One or more fields are invalid: {fields}.", errors)


def unauthorized() -> Response:
    """401: empty body, `WWW-Authenticate: Bearer`."""
    return Response(401, b"", content_type="text/plain", headers=[("www-authenticate", "Bearer")])
