"""The Reply.io API 3.0 emulator: its routes and auth rules (`app`), endpoints, seed dataset,
task store, JSON rendering, problem+json errors, field rules, rate limits, config, CLI flags,
hooks and test handle.

An independent reading of Reply's v3 specification (`shared/api-docs/VENDOR-SPECS.md` §1): it
never imports the client code. `EMULATOR` is what the registry (`sandbox.registry`) runs.
"""

from sandbox.core.emulator import Emulator
from sandbox.reply.app import App
from sandbox.reply.cli_args import add_sandbox_arguments, config_from_args
from sandbox.reply.config import FaultConfig, ReplyConfig
from sandbox.reply.handle import ReplySandbox

EMULATOR: Emulator[ReplyConfig, ReplySandbox] = Emulator(
    vendor="reply",
    default_config=ReplyConfig,
    app=App,
    handle=ReplySandbox,
    add_arguments=add_sandbox_arguments,
    config_from_args=config_from_args,
)

__all__ = ["EMULATOR", "App", "FaultConfig", "ReplyConfig", "ReplySandbox"]
