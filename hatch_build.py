"""The wheel's one import root: the repository's top-level package folders go inside
`sales_tasks/` (`sources/` -> `sales_tasks/sources/`, ...), so an install adds no generic top-level
module. Only the standard wheel gets the copies: an editable install reaches the folders through
`sales_tasks/__init__.py` in the checkout, and copies beside it would go stale."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def folders(root: str) -> tuple[str, ...]:
    """`sales_tasks.FOLDERS`, read from the source without importing it."""
    tree = ast.parse((Path(root) / "sales_tasks" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "FOLDERS" for t in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise RuntimeError("sales_tasks/__init__.py defines no FOLDERS")


class OneImportRoot(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            for folder in folders(self.root):
                build_data["force_include"][folder] = f"sales_tasks/{folder}"
