"""The Saleshandy emulator: its routes and auth rules (`app`), endpoints, seed dataset, task
store, JSON rendering (the guessed task shape is in `render`), parameter rules, rate limits,
config (every unknown a switch), CLI flags, hooks and test handle.

An independent reading of Saleshandy's docs (seed 003, `shared/api-docs/NOTES.md` section 2):
it never imports the client code. `EMULATOR` is what the registry (`sandbox.registry`) runs.
"""

from sandbox.core.emulator import Emulator
from sandbox.saleshandy.app import App
from sandbox.saleshandy.cli_args import add_sandbox_arguments, config_from_args
from sandbox.saleshandy.config import FaultConfig, SaleshandyConfig
from sandbox.saleshandy.handle import SaleshandySandbox

EMULATOR: Emulator[SaleshandyConfig, SaleshandySandbox] = Emulator(
    vendor="saleshandy",
    default_config=SaleshandyConfig,
    app=App,
    handle=SaleshandySandbox,
    add_arguments=add_sandbox_arguments,
    config_from_args=config_from_args,
)

__all__ = ["EMULATOR", "App", "FaultConfig", "SaleshandyConfig", "SaleshandySandbox"]
