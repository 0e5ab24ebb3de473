"""A minimal HTTP/1.1 server on asyncio streams, written for the sandbox's needs.

Why not an ASGI framework: faults need control below HTTP — drop the TCP connection without an
answer (before or after doing the work), send a full `Content-Length` then only part of the body.

Supported: HTTP/1.1 and 1.0, keep-alive (1.1 default, `Connection: close` honoured),
`Content-Length` request bodies. Chunked request bodies are answered 411 and the connection is
closed, since no vendor client the emulators stand in for sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import orjson

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
JSON = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    version: str = "HTTP/1.1"


@dataclass
class Response:
    """What to send. `action`: `send`, `drop` (close, no answer) or `truncate` (full
    Content-Length, half the body, close)."""

    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    action: str = "send"


Handler = Callable[[Request], Awaitable[Response]]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def encode_head(resp: Response, keep_alive: bool) -> bytes:
    lines = [
        f"HTTP/1.1 {resp.status} {_reason(resp.status)}",
        f"Content-Type: {resp.content_type}",
        f"Content-Length: {len(resp.body)}",
        "Connection: keep-alive" if keep_alive else "Connection: close",
    ]
    lines.extend(f"{k}: {v}" for k, v in resp.headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HttpServer:
    """Serves `handler` on host:port until `close()`."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.host = host
        self.requested_port = port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.requested_port, limit=MAX_HEAD, reuse_address=True
        )

    @property
    def port(self) -> int:
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        except Exception:  # a handler bug must not kill the server; the client sees a 500
            log.exception("sandbox: unhandled error while serving a connection")
            with contextlib.suppress(Exception):
                await self._send(
                    writer, Response(500, b'{"error": "sandbox internal error"}'), False
                )
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; True to keep the connection for the next."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        except asyncio.LimitOverrunError:
            await self._send(writer, _error(431, "request head too large"), False)
            return False
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            await self._send(writer, _error(400, "malformed request line"), False)
            return False
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                await self._send(writer, _error(400, "malformed header line"), False)
                return False
            headers[name.strip().lower()] = value.strip()
        if "transfer-encoding" in headers:
            await self._send(
                writer,
                _error(411, "chunked request bodies are not supported; send Content-Length"),
                False,
            )
            return False
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            await self._send(writer, _error(400, "bad Content-Length"), False)
            return False
        body = await reader.readexactly(length) if length else b""
        conn = headers.get("connection", "").lower()
        keep_alive = conn != "close" if version == "HTTP/1.1" else conn == "keep-alive"
        path, _, query = target.partition("?")
        resp = await self.handler(Request(method.upper(), path, query, headers, body, version))
        if resp.action == "drop":
            writer.transport.abort()
            return False
        if resp.action == "truncate":
            writer.write(encode_head(resp, True) + resp.body[: max(1, len(resp.body) // 2)])
            await writer.drain()
            writer.close()
            return False
        await self._send(writer, resp, keep_alive)
        return keep_alive

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, resp: Response, keep_alive: bool) -> None:
        head = encode_head(resp, keep_alive)
        if len(resp.body) < 65536:  # one segment for small answers; no copy of big ones
            writer.write(head + resp.body)
        else:
            writer.write(head)
            writer.write(resp.body)
        await writer.drain()


def _error(status: int, message: str) -> Response:
    return Response(status, orjson.dumps({"error": message}))
