"""The Saleshandy emulator: its routes and auth rules (`app`), endpoints, seed dataset, task
store, JSON rendering (the guessed task shape is in `render`), parameter rules, rate limits,
config (every unknown a switch), CLI flags, hooks and test handle.

An independent reading of Saleshandy's docs (seed 003, `shared/api-docs/NOTES.md` section 2):
it never imports the client code. `EMULATOR` is what the registry (`sales_tasks.sandbox.registry`) runs.
"""

from sales_tasks.sandbox.core.emulator import Emulator
from sales_tasks.sandbox.saleshandy.app import App
from sales_tasks.sandbox.saleshandy.cli_args import add_sandbox_arguments, config_from_args
from sales_tasks.sandbox.saleshandy.config import FaultConfig, SaleshandyConfig
from sales_tasks.sandbox.saleshandy.handle import SaleshandySandbox

EMULATOR: Emulator[SaleshandyConfig, SaleshandySandbox] = Emulator(
    vendor="saleshandy",
    default_config=SaleshandyConfig,
    app=App,
    handle=SaleshandySandbox,
    add_arguments=add_sandbox_arguments,
    config_from_args=config_from_args,
)

__all__ = ["EMULATOR", "App", "FaultConfig", "SaleshandyConfig", "SaleshandySandbox"]
