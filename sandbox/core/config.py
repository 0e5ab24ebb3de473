"""What every emulator's configuration has in common: the fault knobs and the config protocol.

An emulator's config is a JSON-serialisable dataclass (`to_dict`, `from_dict`, `merged`,
`validate`) that holds a `faults: FaultConfig` and a `request_log_cap`, and names the fields
that shape its dataset (`DATASET_FIELDS`: those cannot change while it runs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self

FAULT_RATES = (
    "error_rate",
    "drop_rate",
    "truncate_rate",
    "invalid_json_rate",
    "drop_after_create_rate",
)


@dataclass
class FaultConfig:
    """Random misbehaviour, reproducible from `fault_seed` (one random draw set per request)."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    invalid_json_rate: float = 0.0
    burst_429_every: int = 0
    burst_429_len: int = 0
    drop_after_create_rate: float = 0.0
    # Path prefixes the faults apply to; `/_sandbox` hooks are never faulted whatever this says.
    # An emulator narrows the default to its API's prefixes.
    fault_paths: list[str] = field(default_factory=lambda: ["/"])
    fault_seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        reject_unknown(cls, data, "faults")
        merged = {**dataclasses.asdict(cls()), **data}
        cfg = cls(**merged)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        for name in FAULT_RATES:
            value = getattr(self, name)
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"faults.{name} must be between 0 and 1, got {value!r}")
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("faults.latency_ms and faults.jitter_ms must be >= 0")
        if self.burst_429_every < 0 or self.burst_429_len < 0:
            raise ValueError("faults.burst_429_every and faults.burst_429_len must be >= 0")
        if not isinstance(self.fault_paths, list) or not all(
            isinstance(p, str) for p in self.fault_paths
        ):
            raise ValueError("faults.fault_paths must be a list of path prefixes")


class EmulatorConfig(Protocol):
    """The part of an emulator's config the generic app, hooks and runner rely on."""

    DATASET_FIELDS: ClassVar[tuple[str, ...]]

    @property
    def faults(self) -> FaultConfig: ...

    @property
    def request_log_cap(self) -> int: ...

    def to_dict(self) -> dict[str, Any]: ...

    def merged(self, changes: dict[str, Any]) -> Self: ...

    def validate(self) -> None: ...


class ConfigDicts:
    """`to_dict`, `from_dict` and `merged` for an emulator's config dataclass that holds a
    `faults` field (a `FaultConfig` subclass) and has `validate()`. A change merges into a dict
    field (`faults`, a table of limits...) unless the field is named in `REPLACED`."""

    REPLACED: ClassVar[tuple[str, ...]] = ()
    faults: FaultConfig

    def validate(self) -> None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        data["faults"] = self.faults.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        reject_unknown(cls, data, "config")
        default = cls()
        merged = {**default.to_dict(), **{k: v for k, v in data.items() if k != "faults"}}
        merged["faults"] = type(default.faults).from_dict(dict(data.get("faults") or {}))
        cfg = cls(**merged)
        cfg.validate()
        return cfg

    def merged(self, changes: dict[str, Any]) -> Self:
        """A copy with `changes` applied; nested dicts are merged, not replaced."""
        data = self.to_dict()
        for key, value in changes.items():
            if isinstance(value, FaultConfig):
                value = value.to_dict()
            if (
                isinstance(value, dict)
                and isinstance(data.get(key), dict)
                and key not in self.REPLACED
            ):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return self.from_dict(data)


def reject_unknown(cls: type, data: dict[str, Any], what: str) -> None:
    """Refuse a config object that is not a dict or names fields `cls` does not have."""
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a JSON object")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown {what} field(s): {', '.join(unknown)}")
