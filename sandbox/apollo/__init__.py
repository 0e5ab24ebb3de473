"""The Apollo.io emulator: its routes and auth rules (`app`), endpoints, seed dataset, task
store, JSON rendering, parameter rules, config, CLI flags, hooks and test handle.

An independent reading of Apollo's docs and recorded traffic (`shared/api-docs/NOTES.md`): it
never imports the client code. `EMULATOR` is what the registry (`sales_tasks.sandbox.registry`) runs.
"""

from sales_tasks.sandbox.apollo.app import App
from sales_tasks.sandbox.apollo.cli_args import add_sandbox_arguments, config_from_args
from sales_tasks.sandbox.apollo.config import FaultConfig, SandboxConfig
from sales_tasks.sandbox.apollo.handle import Sandbox
from sales_tasks.sandbox.core.emulator import Emulator

EMULATOR: Emulator[SandboxConfig, Sandbox] = Emulator(
    vendor="apollo",
    default_config=SandboxConfig,
    app=App,
    handle=Sandbox,
    add_arguments=add_sandbox_arguments,
    config_from_args=config_from_args,
)

__all__ = ["EMULATOR", "App", "FaultConfig", "Sandbox", "SandboxConfig"]
