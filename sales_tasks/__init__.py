"""sales-tasks: mirror vendors' sales tasks into a warehouse and push warehouse rows back as
vendor tasks exactly once.

The one import root: `sales_tasks.clients`, `sales_tasks.sources`, `sales_tasks.destinations`,
`sales_tasks.pipelines` and `sales_tasks.sandbox`. In the repository those packages are the
top-level folders (the layout tells the architecture), reached by this package's search path; the
wheel places them inside `sales_tasks/` (pyproject's `force-include`), so an install adds one
top-level module and shadows no `sources/` or `pipelines/` folder of the user's own project.
"""

from __future__ import annotations

from pathlib import Path

# The repository's top-level folders that are packages of this one.
FOLDERS = ("clients", "sources", "destinations", "pipelines", "sandbox")

_HERE = Path(__file__).resolve().parent
if not (_HERE / "pipelines").is_dir() and (_HERE.parent / "pipelines" / "__init__.py").is_file():
    # A checkout: the folders sit beside this package, not in it.
    __path__.append(str(_HERE.parent))
