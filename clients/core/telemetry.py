"""No traffic but to the vendor a user configured: dlt's anonymous telemetry is off by default.

dlt starts its tracker once, with the first pipeline, from `runtime.dlthub_telemetry`, whose
default is on; `.dlt/config.toml` turns it off only when a run starts in this project's folder.
Importing our packages sets the environment default instead (no file read), so every run is quiet
wherever it starts; a user opts in with `RUNTIME__DLTHUB_TELEMETRY=true`.
"""

from __future__ import annotations

import os

TELEMETRY_ENV = "RUNTIME__DLTHUB_TELEMETRY"


def dlt_telemetry_off_by_default() -> None:
    """Turn dlt's telemetry off unless the user set `RUNTIME__DLTHUB_TELEMETRY` themselves."""
    os.environ.setdefault(TELEMETRY_ENV, "false")
