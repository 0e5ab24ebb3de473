"""Local emulators of vendor APIs (real HTTP on 127.0.0.1), for the demo, every test and the
benchmarks.

Layout::

    sandbox/
      core/          vendor-free: never names a vendor
        http.py        the asyncio HTTP/1.1 server (drops and truncation below HTTP)
        app.py         EmulatorApp: request log -> route -> auth -> faults -> rate limit -> work
        faults.py      random + scripted faults (drop, 5xx, burst 429, truncate, invalid JSON)
        config.py      FaultConfig and the protocol every emulator's config follows
        ratelimit.py   fixed windows with the header names and answers the emulator chooses
        params.py      query / body reading, redaction of secret parameters
        hooks.py       /_sandbox/ health, requests, reset, config, faults/script, stats
        server.py      thread or foreground serving; runner.py: thread or child process
        handle.py      SandboxHandle, the test handle base
        cli_args.py    --port, --host, config flags by table, the fault flags
        names.py       word lists for fake people, companies and notes
        emulator.py    Emulator: what a vendor package hands the registry
        shape.py       how seed data is shaped (per-kind times and skips, owner skew, weekdays)
      apollo/        Apollo.io: app (routes, auth), state, endpoints_*, data, store, render*,
                     params, ratelimit (header names, messages), config, cli_args, hooks, handle
      reply/         Reply.io API 3.0: app (routes, Bearer / X-API-Key auth), endpoints, data,
                     store, render, params, problems (problem+json), ratelimit, enums, times,
                     config, cli_args, hooks, handle
      registry.py    EMULATORS = {"apollo": ..., "reply": ...}; running_sandbox(vendor=...)
      __main__.py    python -m sales_tasks.sandbox --vendor apollo|reply --port P ...

Start one with `running_sandbox()` (tests, benchmarks), `serve_forever()` (the `apollo-tasks
sandbox` CLI) or `python -m sales_tasks.sandbox`. Arrows point down only: `registry` imports the vendor
packages, a vendor package imports `core`, `core` imports nothing of theirs, and no emulator
imports the client code (`clients/`, `sources/`, `destinations/`): each is its own reading of the
vendor's docs.

A new vendor's emulator is a package `sandbox/<vendor>/` plus one entry in `EMULATORS`:
- a config dataclass with `faults` (a `core.config.FaultConfig`, its default `fault_paths`
  narrowed to the API's prefixes), `request_log_cap`, `DATASET_FIELDS`, `to_dict`, `merged`,
  `validate`;
- an `EmulatorApp` subclass: `route` (404/405 otherwise), `authorize` (the vendor's auth rules),
  `rate_limit` (`self.limiter.hit(...)` with its header names), `too_many`, `call` (the
  endpoints), and if needed `secret_params`, `log_fields`, `vendor_hook`, `stats`, `describe`;
- a `SandboxHandle` subclass for its own hooks, CLI flags (`core.cli_args.add_server_arguments`
  plus `--config-json`), and the `Emulator(...)` value tying them together.

Apollo's names are re-exported here, as they were before emulators had packages.
"""

from sales_tasks.sandbox.apollo import FaultConfig, Sandbox, SandboxConfig
from sales_tasks.sandbox.core.server import SandboxInfo, SandboxServer
from sales_tasks.sandbox.registry import EMULATORS, running_sandbox, serve_forever

__all__ = [
    "EMULATORS",
    "FaultConfig",
    "Sandbox",
    "SandboxConfig",
    "SandboxInfo",
    "SandboxServer",
    "running_sandbox",
    "serve_forever",
]
