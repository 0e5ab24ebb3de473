"""Turning exceptions into the one line a person reads at the end of a failed command.

dlt wraps whatever fails inside a pipeline step: `PipelineStepFailed: Pipeline execution failed at
step=sync with exception:`, then the cause on the following lines. The line shown is the cause,
never that first line. dlt's configuration errors a person can fix are translated into what is
missing and the variable to set (`ConfigFieldMissingException` → `DESTINATION__POSTGRES__CREDENTIALS`);
any other cause is shown whole, its first paragraph joined into one line, never cut mid-sentence.
No API key or password is ever shown (`scrub`).
"""

from __future__ import annotations

import os
import re
from typing import Any

from sales_tasks.clients.core.errors import ActionableError, VendorApiError, redact

_SHOWN_AS_IS = (VendorApiError, ActionableError)

# dlt's secret values for destinations: whole connection strings and their password-like parts.
_SECRET_ENV_SUFFIXES = ("__CREDENTIALS", "__PASSWORD", "__PRIVATE_KEY", "__TOKEN", "__SECRET")
# `user:password@` in the examples we print is a placeholder, not a secret.
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?!password@)(?P<password>[^@\s]+)@"
)
_LONGEST = 400

# What a connection string looks like, for destinations that accept one.
_CONNECTION_STRINGS = {
    "postgres": "postgresql://user:password@host:5432/database",
    "redshift": "redshift://user:password@host:5439/database",
    "mssql": "mssql://user:password@host:1433/database",
    "synapse": "synapse://user:password@host/database",
    "fabric": "fabric://user:password@host/database",
    "snowflake": "snowflake://user:password@account/database?warehouse=WH&role=ROLE",
    "motherduck": "md:database?motherduck_token=...",
    "clickhouse": "clickhouse://user:password@host:9440/database",
    "sqlalchemy": "dialect+driver://user:password@host/database",
    "dremio": "grpc://user:password@host:32010/database",
}


def scrub(text: str) -> str:
    """Remove every configured API key, destination secret and URL password from text."""
    for name, value in os.environ.items():
        # Every vendor's key (`<VENDOR>_API_KEY`, `SOURCES__<VENDOR>__API_KEY`,
        # `DESTINATION__<VENDOR>_TASKS__API_KEY`, an account's) and dlt's secrets.
        vendor_key = name.endswith("API_KEY")
        if vendor_key or (name.startswith("DESTINATION__") and name.endswith(_SECRET_ENV_SUFFIXES)):
            text = redact(text, value)
    return _URL_PASSWORD.sub(r"\g<head>***@", text)


def one_line_error(exc: BaseException) -> str:
    """A single line: what failed and what to do. Vendor errors already say both."""
    cause, step, destination = _unwrap(exc)
    translated = _translate(cause, destination)
    if translated is not None:
        return scrub(translated)
    text = _one_line(str(cause)) or type(cause).__name__
    if isinstance(cause, _SHOWN_AS_IS):
        return scrub(text)
    where, check = (f"{step} failed" if step else "failed"), ""
    if destination and step in ("sync", "load"):
        where = f"destination {destination} {where}"
    if destination and step == "sync":  # dlt's first contact with the destination: credentials
        check = f"check DESTINATION__{destination.upper()}__CREDENTIALS"
        check = f" C{check[1:]}" if text.endswith((".", "?", "!")) else f"; {check}"
    return scrub(
        f"{where}: {type(cause).__name__}: {text}{check} (rerun with --traceback for details)"
    )


def error_exit_code(exc: BaseException, default: int) -> int:
    """The exit code an error asks for (`exit_code`), on itself or on the error dlt wrapped."""
    code = getattr(exc, "exit_code", None)
    if code is None:
        code = getattr(_unwrap(exc)[0], "exit_code", None)
    return int(code) if isinstance(code, int) else default


def _unwrap(exc: BaseException) -> tuple[BaseException, str | None, str | None]:
    """The exception a person should read, the dlt step it failed in, and the destination."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    step = destination = None
    cause: BaseException = exc
    seen: set[int] = set()
    while id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, PipelineStepFailed):
            step = step or str(cause.step)
            destination = destination or _destination_name(cause.pipeline)
        elif isinstance(cause, _SHOWN_AS_IS) or _translatable(cause):
            break
        nxt = _inner(cause)
        if nxt is None:
            break
        cause = nxt
    return cause, step, destination


def _inner(exc: BaseException) -> BaseException | None:
    inner = getattr(exc, "exception", None) or getattr(exc, "inner_exc", None)
    if isinstance(inner, BaseException):
        return inner
    return exc.__cause__ or exc.__context__


def _destination_name(pipeline: Any) -> str | None:
    try:
        return str(pipeline.destination.destination_name) if pipeline.destination else None
    except Exception:  # a half-built pipeline: the name is a nicety, the error is what matters
        return None


def _translatable(exc: BaseException) -> bool:
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.common.configuration.specs.exceptions import NativeValueError
    from dlt.common.exceptions import MissingDependencyException
    from dlt.destinations.exceptions import DestinationConnectionError

    kinds = (
        ConfigFieldMissingException,
        MissingDependencyException,
        NativeValueError,
        DestinationConnectionError,
    )
    return isinstance(exc, kinds)


def _translate(exc: BaseException, destination: str | None) -> str | None:
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.common.configuration.specs.exceptions import NativeValueError
    from dlt.common.exceptions import MissingDependencyException
    from dlt.destinations.exceptions import DestinationConnectionError

    if isinstance(exc, ConfigFieldMissingException):
        return _missing_config(exc, destination)
    if isinstance(exc, MissingDependencyException):
        installs = " and ".join(f'`uv pip install "{d}"`' for d in exc.dependencies)
        return f"{exc.caller} needs packages that are not installed here: run {installs}"
    if isinstance(exc, NativeValueError):
        name = destination or "the destination"
        variable = f"DESTINATION__{name.upper()}__CREDENTIALS" if destination else "the credentials"
        example = _CONNECTION_STRINGS.get(destination or "", "driver://user:password@host/db")
        return (
            f"the credentials of destination {name} are not a valid connection string:"
            f" set {variable}={example}"
        )
    if isinstance(exc, DestinationConnectionError):
        name = destination or "the destination"
        reason = _one_line(str(exc.inner_exc) if exc.inner_exc else str(exc))
        variable = f"DESTINATION__{name.upper()}__CREDENTIALS" if destination else "its credentials"
        return f"cannot connect to destination {name}: {reason}; check {variable}"
    return None


def _missing_config(exc: Any, destination: str | None) -> str:
    """`ConfigFieldMissingException` as what is missing and which variables to set."""
    from dlt.common.configuration.exceptions import LookupTraces

    fields: list[str] = []
    keys: list[str] = []
    nested_key = None
    for field, traces in exc.traces.items():
        for trace in traces:
            if isinstance(trace, LookupTraces):
                for leaf, leaf_traces in trace.traces.items():
                    key = _env_key(leaf_traces)
                    if key:
                        fields.append(leaf)
                        keys.append(key)
                        nested_key = nested_key or key.rsplit("__", 1)[0]
                break  # a union of specs: the first one is enough to say what to set
            key = _env_key(traces)
            if key:
                fields.append(field)
                keys.append(key)
            break
    if not keys:
        return f"configuration {exc.spec_name} is incomplete: {', '.join(exc.fields)} missing"
    section = (nested_key or keys[0].rsplit("__", 1)[0]).lower().replace("__", ".")
    example = _CONNECTION_STRINGS.get(destination or "")
    todo = f"set {nested_key}={example}" if nested_key and example else f"set {', '.join(keys)}"
    what = f"destination {destination}" if destination else f"configuration {exc.spec_name}"
    return (
        f"{what} is not configured: {', '.join(fields)} missing; {todo}"
        f" (or the [{section}] section of .dlt/secrets.toml)"
    )


def _env_key(traces: Any) -> str | None:
    """The variable to set: dlt's `DESTINATION__...` key rather than a pipeline-scoped one."""
    keys = [str(t.key) for t in traces if getattr(t, "provider", "") == "Environment Variables"]
    plain = [k for k in keys if k.startswith(("DESTINATION__", "SOURCES__"))]
    found = plain or keys
    return found[0] if found else None


def _one_line(text: str) -> str:
    """The first paragraph of a message as one line; a long one ends at a sentence boundary."""
    paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    lines = [" ".join(line.split()) for line in paragraph.splitlines() if line.strip()]
    # A new line that starts a sentence after one that did not end one: keep the sentences apart.
    for i in range(len(lines) - 1):
        if lines[i + 1][:1].isupper() and not lines[i].endswith((".", ":", ";", ",", "?", "!")):
            lines[i] += "."
    line = " ".join(lines)
    if len(line) <= _LONGEST:
        return line
    cut = line.rfind(". ", 0, _LONGEST)
    return line[: cut + 1] if cut > 0 else line
