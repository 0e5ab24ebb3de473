"""A faithful local emulator of Apollo.io's tasks API (real HTTP on 127.0.0.1).

Used by the demo, every test and the benchmarks. Start one with `running_sandbox()` (tests,
benchmarks), `serve_forever()` (the `apollo-tasks sandbox` CLI) or `python -m sandbox`.
What it emulates, and which facts it relies on, is documented in each module's docstring; the
knobs that play the variants of unknown vendor behaviour are in `sandbox.config`.
"""

from sandbox.config import FaultConfig, SandboxConfig
from sandbox.handle import Sandbox, running_sandbox
from sandbox.server import SandboxInfo, SandboxServer, serve_forever

__all__ = [
    "FaultConfig",
    "Sandbox",
    "SandboxConfig",
    "SandboxInfo",
    "SandboxServer",
    "running_sandbox",
    "serve_forever",
]
