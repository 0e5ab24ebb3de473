"""The Reply.io API 3.0 emulator: its routes and auth rules (`app`), endpoints, seed dataset,
task store, JSON rendering, problem+json errors, field rules, rate limits, config, CLI flags,
hooks and test handle.

An independent reading of Reply's v3 specification (`shared/api-docs/VENDOR-SPECS.md` §1): it
never imports the client code. `EMULATOR` is what the registry (`sales_tasks.sandbox.registry`) runs.
"""

from sales_tasks.sandbox.core.emulator import Emulator
from sales_tasks.sandbox.reply.app import App
from sales_tasks.sandbox.reply.cli_args import add_sandbox_arguments, config_from_args
from sales_tasks.sandbox.reply.config import FaultConfig, ReplyConfig
from sales_tasks.sandbox.reply.handle import ReplySandbox

EMULATOR: Emulator[ReplyConfig, ReplySandbox] = Emulator(
    vendor="reply",
    default_config=ReplyConfig,
    app=App,
    handle=ReplySandbox,
    add_arguments=add_sandbox_arguments,
    config_from_args=config_from_args,
)

__all__ = ["EMULATOR", "App", "FaultConfig", "ReplyConfig", "ReplySandbox"]
