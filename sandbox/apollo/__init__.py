"""The Apollo.io emulator: its routes and auth rules (`app`), endpoints, seed dataset, task
store, JSON rendering, parameter rules, config, CLI flags, hooks and test handle.

An independent reading of Apollo's docs and recorded traffic (`shared/api-docs/NOTES.md`): it
never imports the client code. `EMULATOR` is what the registry (`sandbox.registry`) runs.
"""

from sandbox.apollo.app import App
from sandbox.apollo.cli_args import add_sandbox_arguments, config_from_args
from sandbox.apollo.config import FaultConfig, SandboxConfig
from sandbox.apollo.handle import Sandbox
from sandbox.core.emulator import Emulator

EMULATOR: Emulator[SandboxConfig, Sandbox] = Emulator(
    vendor="apollo",
    default_config=SandboxConfig,
    app=App,
    handle=Sandbox,
    add_arguments=add_sandbox_arguments,
    config_from_args=config_from_args,
)

__all__ = ["EMULATOR", "App", "FaultConfig", "Sandbox", "SandboxConfig"]
