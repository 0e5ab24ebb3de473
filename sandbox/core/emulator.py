"""What a vendor's emulator package hands the registry: one `Emulator` value.

It names the vendor, and says how to build its default config, its app and its test handle,
and how its command-line flags read (the subprocess runner passes `--config-json`, so the
vendor's `add_arguments` must accept it).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sales_tasks.sandbox.core.app import EmulatorApp
from sales_tasks.sandbox.core.config import EmulatorConfig
from sales_tasks.sandbox.core.handle import SandboxHandle

C = TypeVar("C", bound=EmulatorConfig)
H = TypeVar("H", bound=SandboxHandle)


@dataclass(frozen=True)
class Emulator(Generic[C, H]):
    """One vendor's emulator, as the registry, the runner and `python -m sales_tasks.sandbox` see it."""

    vendor: str
    default_config: Callable[[], C]
    app: Callable[[C], EmulatorApp[Any]]
    handle: Callable[[str, C], H]
    add_arguments: Callable[[argparse.ArgumentParser], None]
    config_from_args: Callable[[argparse.Namespace], C]
