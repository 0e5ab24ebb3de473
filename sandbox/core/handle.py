"""The test handle base: a running emulator's base URL and thin wrappers over the generic hooks.

The handle talks to the `/_sandbox/` hooks over HTTP, so it works the same whether the server
runs in a thread of this process or in a child process. An emulator subclasses it to add its
own hooks and its keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sales_tasks.sandbox.core.config import EmulatorConfig

if TYPE_CHECKING:
    import httpx


class SandboxHandle:
    """A running emulator: where it is and the generic test hooks."""

    def __init__(self, base_url: str, config: EmulatorConfig) -> None:
        self.base_url = base_url
        self.initial_config = config
        import httpx  # here, so `python -m sales_tasks.sandbox` does not pay for importing it

        # Plain HTTP to 127.0.0.1: skipping TLS setup (certifi loading) saves ~0.1 s per handle.
        self._http: httpx.Client = httpx.Client(
            base_url=base_url, timeout=60.0, verify=False, trust_env=False
        )

    def close(self) -> None:
        self._http.close()

    def set_status(self, task_id: Any, shared: str) -> dict[str, Any]:
        """Make a task `open`, `completed` or `skipped` (the shared vocabulary's names), as a
        person would in the vendor's app; an emulator spells it in its own codes.

        Raises:
            NotImplementedError: the emulator has no status hook.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot set a task's status")

    def _hook(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self._http.request(method, f"/_sandbox/{path}", **kwargs)
        if resp.status_code >= 400:
            raise RuntimeError(
                f"sandbox hook {method} {path} failed: {resp.status_code} {resp.text}"
            )
        return resp.json()

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """The request log, oldest first; only entries for `path` when given."""
        return self._hook("GET", "requests", params={"path": path} if path else None)

    def clear_requests(self) -> None:
        self._hook("DELETE", "requests")

    def reset(self) -> None:
        self._hook("POST", "reset")

    def config(self) -> dict[str, Any]:
        return self._hook("GET", "config")

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change the config live (nested dicts such as `faults` are merged); returns it."""
        return self._hook("PATCH", "config", json=changes)

    def script_faults(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._hook("POST", "faults/script", json=entries)

    def on_request(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Schedule calls at chosen points of a client's run (`/_sandbox/on_request`)."""
        return self._hook("POST", "on_request", json=entries)

    def scheduled_calls(self) -> list[dict[str, Any]]:
        """The scheduled calls not made yet (`GET /_sandbox/on_request`)."""
        return self._hook("GET", "on_request")

    def clear_on_request(self) -> None:
        self._hook("DELETE", "on_request")

    def stats(self) -> dict[str, Any]:
        return self._hook("GET", "stats")

    def delete_task(self, task_id: Any) -> None:
        """Delete a task as if a user did it in the vendor's app (`DELETE /_sandbox/tasks/{id}`,
        a hook every emulator answers: the standard test kit, `tests/kit`, relies on it)."""
        self._hook("DELETE", f"tasks/{task_id}")

    def clock(self) -> dict[str, Any]:
        """The emulator's clock: `now`, `frozen`, `offset` (`sales_tasks.sandbox.core.clock`)."""
        return self._hook("GET", "clock")

    def freeze_clock(self, at: float | None = None) -> dict[str, Any]:
        """Hold the clock rate windows follow still, at `at` (epoch seconds) or now."""
        return self._hook("PATCH", "clock", json={"freeze": True, "at": at})

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the emulator's clock `seconds` on (rate windows turn over without a sleep)."""
        return self._hook("PATCH", "clock", json={"advance": seconds})
