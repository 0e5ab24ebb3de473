"""Reply.io's error answers: RFC 9457 `application/problem+json`.

Facts relied on (VENDOR-SPECS.md §1.2; RS = Reply's OpenAPI 3.1 bundle, @9,000-26,500):
- Problem Details `{title, status, detail}` (401, 429, framework 404/405); a validation problem
  adds `errors[]` of `{pointer, detail}` (`pointer` a JSON Pointer for a body field such as
  `/taskType`, the bare name for a route or query parameter such as `top`, `""` for the whole
  body); a business problem adds `code` (`resource.variant`, e.g. `task.notFound`). No `type`.
- 401: empty body, `WWW-Authenticate: Bearer`. 429: `Retry-After` integer seconds (>= 1) and a
  bare Problem Details body.

Guesses: the codes the spec does not list (`contact.notFound` on a create for an unknown contact,
`user.notInOrganization`, `scope.missing`); the `title` of each (the HTTP reason phrase, or
"Validation failed" as the spec's examples).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson

from sales_tasks.sandbox.core.http import Response

PROBLEM_JSON = "application/problem+json; charset=utf-8"


class Problem(Exception):
    """An error answer an endpoint raises; `response()` renders it.

    A business problem has a `code`; a validation problem has `errors`; a bare one neither.
    """

    def __init__(
        self,
        status: int,
        code: str | None,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors, self.headers = errors, headers or []

    def body(self) -> dict[str, Any]:
        title = "Validation failed" if self.errors is not None else HTTPStatus(self.status).phrase
        data: dict[str, Any] = {"title": title, "status": self.status, "detail": self.detail}
        if self.code:
            data["code"] = self.code
        if self.errors is not None:
            data["errors"] = self.errors
        return data

    def response(self) -> Response:
        return Response(
            self.status, orjson.dumps(self.body()), content_type=PROBLEM_JSON, headers=self.headers
        )


def field_error(pointer: str, detail: str) -> dict[str, str]:
    """One entry of a validation problem's `errors[]`."""
    return {"pointer": pointer, "detail": detail}


def validation(errors: list[dict[str, str]]) -> Problem:
    """The 400 for a request whose fields Reply refuses."""
    return Problem(400, None, "The request contains validation errors.", errors)


def unauthorized() -> Response:
    """401: empty body, `WWW-Authenticate: Bearer`."""
    return Response(401, b"", content_type="text/plain", headers=[("www-authenticate", "Bearer")])
