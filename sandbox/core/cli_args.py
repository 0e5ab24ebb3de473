"""Command-line flags every emulator takes: where to listen.

The subprocess runner starts `python -m sandbox --vendor V --port 0 --config-json ...`, so an
emulator's `add_arguments` calls `add_server_arguments` and also reads `--config-json` (its whole
config as JSON, which its other flags override).
"""

from __future__ import annotations

import argparse


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--port` and `--host` to `parser`."""
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
