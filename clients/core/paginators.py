"""Paginators: how to ask for the next page of a list and when to stop, one class per style.

dlt's `rest_client/paginators.py` is the model, with the same small interface:
`init_request` (the first page's parameters), `update_state` (read one answer),
`has_next_page`, `update_request` (the next page's parameters). `paginate` drives any of them
over an `ApiClient`. Every style has a stop guard (`maximum_page`), so a vendor that keeps saying
"more" can never keep a run paging forever.

    BasePaginator
     +-- PageNumberPaginator   page=1,2,...; stops at the total (of pages or of rows), on an
     |                         empty page and, unless told not to, on a short page
     +-- ShortPagePaginator    page=1,2,...; no total: stops on a short or an empty page
     +-- OffsetPaginator       offset/limit (e.g. `skip`/`top`) with a `hasMore` flag; the offset
                               advances by the rows received; stops when the flag says no or a
                               page holds no rows (even one that still says `hasMore: true`)

Page numbers and totals are read leniently (`"3"` counts as 3): vendors send them as strings.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sales_tasks.clients.core.values import lenient_int

# A list of rows as it comes out of an answer.
TItems = list[Any]


@dataclass
class PageRequest:
    """The variable part of one page's request: query parameters and, for POST, the JSON body.

    A paginator writes its page parameters into `params` or, when it pages in the body, `json`.
    """

    params: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None

    def set(self, name: str, value: Any, *, in_body: bool) -> None:
        if in_body:
            self.json = {**(self.json or {}), name: value}
        else:
            self.params[name] = value


def page_count(total_rows: int, page_size: int) -> int:
    """How many pages of `page_size` rows hold `total_rows` rows (at least 1)."""
    if page_size < 1:
        raise ValueError("page_size must be >= 1")
    return max(1, math.ceil(max(0, total_rows) / page_size))


def is_short_page(rows: int, page_size: int) -> bool:
    """A page holding fewer rows than asked for: the last one (or the vendor stopped serving)."""
    return rows < page_size


def value_at(body: Any, path: str) -> Any:
    """The value at a dotted `path` (`pagination.total_entries`) of a decoded body, or None."""
    node = body
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


class BasePaginator(ABC):
    """One style of paging. Subclasses keep their position and decide when to stop."""

    def __init__(self) -> None:
        self._has_next_page = True
        self.pages = 0
        self.stopped_by_guard = False

    @property
    def has_next_page(self) -> bool:
        """False once the last answer ended the list (or the stop guard was reached)."""
        return self._has_next_page

    @abstractmethod
    def init_request(self, request: PageRequest) -> None:
        """Put the first page's parameters into `request`."""

    @abstractmethod
    def update_state(self, body: Any, items: Sequence[Any]) -> None:
        """Read one answer (`body`, and the rows taken from it) and decide whether more follow."""

    @abstractmethod
    def update_request(self, request: PageRequest) -> None:
        """Put the next page's parameters into `request`."""

    def _guard(self, reached: int, maximum: int | None) -> None:
        """Stop once `reached` (a page number, or pages read) is at the guard `maximum`."""
        if self._has_next_page and maximum is not None and reached >= maximum:
            self._has_next_page = False
            self.stopped_by_guard = True


class PageNumberPaginator(BasePaginator):
    """`page=1,2,...` with a total read from the answer.

    Args:
        page_size: rows per page asked for (sent as `page_size_param` unless that is None).
        total_path: dotted path of the total in the answer (None: no total, see below).
        total_is_rows: the total counts rows (`total_entries`), not pages (`total_pages`).
        stop_on_short_page: also stop on a page shorter than `page_size` (for vendors whose
            totals are not to be trusted alone).
        maximum_page: the stop guard: never ask for a page (number) past this one.
        in_body: send the page parameters in the JSON body instead of the query string.
    """

    def __init__(
        self,
        page_size: int,
        *,
        page_param: str = "page",
        page_size_param: str | None = "per_page",
        base_page: int = 1,
        total_path: str | None = None,
        total_is_rows: bool = False,
        stop_on_short_page: bool = True,
        maximum_page: int | None = 1_000,
        in_body: bool = False,
    ) -> None:
        super().__init__()
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        self.page_size = page_size
        self.page_param = page_param
        self.page_size_param = page_size_param
        self.base_page = base_page
        self.page = base_page
        self.total_path = total_path
        self.total_is_rows = total_is_rows
        self.stop_on_short_page = stop_on_short_page
        self.maximum_page = maximum_page
        self.in_body = in_body
        self.rows = 0
        self.total: int | None = None

    def init_request(self, request: PageRequest) -> None:
        self.page = self.base_page
        self._write(request)

    def update_state(self, body: Any, items: Sequence[Any]) -> None:
        self.pages += 1
        self.rows += len(items)
        if self.total_path is not None:
            self.total = lenient_int(value_at(body, self.total_path))
        if not items or (self.stop_on_short_page and is_short_page(len(items), self.page_size)):
            self._has_next_page = False
        elif self.total is not None:
            if self.total_is_rows:
                self._has_next_page = self.rows < self.total
            else:
                self._has_next_page = self.page - self.base_page + 1 < self.total
        self._guard(self.page, self.maximum_page)

    def update_request(self, request: PageRequest) -> None:
        self.page += 1
        self._write(request)

    def _write(self, request: PageRequest) -> None:
        request.set(self.page_param, self.page, in_body=self.in_body)
        if self.page_size_param is not None:
            request.set(self.page_size_param, self.page_size, in_body=self.in_body)


class ShortPagePaginator(PageNumberPaginator):
    """`page=1,2,...` without a total: the list ends on a short or an empty page."""

    def __init__(self, page_size: int, **options: Any) -> None:
        options.pop("total_path", None)
        options.pop("stop_on_short_page", None)
        super().__init__(page_size, total_path=None, stop_on_short_page=True, **options)


class OffsetPaginator(BasePaginator):
    """Offset/limit paging with a "more follows" flag (e.g. `top`/`skip` with `{items, hasMore}`).

    The offset advances by the rows actually received (a vendor may serve fewer than `limit`).
    The list ends when the flag is false or missing, or a page holds no rows even though the
    flag still says true (else it would be asked for forever).

    Args:
        limit: rows per page asked for.
        offset_param, limit_param: parameter names (`skip`, `top`).
        has_more_path: dotted path of the flag in the answer.
        maximum_page: the stop guard: never read more than this many pages.
        in_body: send the parameters in the JSON body instead of the query string.
    """

    def __init__(
        self,
        limit: int,
        *,
        offset: int = 0,
        offset_param: str = "offset",
        limit_param: str = "limit",
        has_more_path: str = "hasMore",
        maximum_page: int | None = 1_000,
        in_body: bool = False,
    ) -> None:
        super().__init__()
        if limit < 1:
            raise ValueError("limit must be >= 1")
        self.limit = limit
        self.start = offset
        self.offset = offset
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.has_more_path = has_more_path
        self.maximum_page = maximum_page
        self.in_body = in_body

    def init_request(self, request: PageRequest) -> None:
        self.offset = self.start
        self._write(request)

    def update_state(self, body: Any, items: Sequence[Any]) -> None:
        self.pages += 1
        self.offset += len(items)
        flag = value_at(body, self.has_more_path)
        more = flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")
        self._has_next_page = bool(items) and more
        self._guard(self.pages, self.maximum_page)

    def update_request(self, request: PageRequest) -> None:
        self._write(request)

    def _write(self, request: PageRequest) -> None:
        request.set(self.offset_param, self.offset, in_body=self.in_body)
        request.set(self.limit_param, self.limit, in_body=self.in_body)


class JsonRequester(Protocol):
    """What `paginate` needs of a client (`sales_tasks.clients.core.ApiClient` is one)."""

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotent: bool = True,
        endpoint: str | None = None,
    ) -> Any: ...


def items_at(body: Any, path: str) -> TItems:
    """The rows at `path` of an answer: the list's dict entries, or [] when it is not a list."""
    found = value_at(body, path)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


@dataclass
class Page:
    """One answer of a paged list: the decoded body and the rows taken from it."""

    number: int
    body: Any
    items: TItems


def paginate(
    client: JsonRequester,
    method: str,
    path: str,
    paginator: BasePaginator,
    *,
    items_path: str | Callable[[Any], TItems],
    params: Mapping[str, Any] | None = None,
    json: Mapping[str, Any] | None = None,
    endpoint: str | None = None,
) -> Iterator[Page]:
    """Every page of one list, in order, as `paginator` walks it.

    Args:
        items_path: dotted path of the rows in each answer (`tasks`, `data.items`), or a
            function that takes them out of an answer (for a vendor whose rows move).
        params, json: the parts of the request every page shares.
        endpoint: the client's rate-limit bucket (defaults to `path`).
    """
    request = PageRequest(dict(params or {}), dict(json) if json is not None else None)
    paginator.init_request(request)
    number = 0
    while True:
        body = client.request_json(
            method, path, params=request.params or None, json=request.json, endpoint=endpoint
        )
        items = items_path(body) if callable(items_path) else items_at(body, items_path)
        paginator.update_state(body, items)
        number += 1
        yield Page(number, body, items)
        if not paginator.has_next_page:
            return
        paginator.update_request(request)
