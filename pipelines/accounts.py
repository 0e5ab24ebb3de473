"""Many accounts of one vendor, named in dlt config, each its own job and its own dataset.

An agency runs several accounts of a vendor; each is a section of dlt config:

    [accounts.<vendor>.<name>]          # .dlt/secrets.toml (the key) / .dlt/config.toml
    api_key = "..."                     # ACCOUNTS__<VENDOR>__<NAME>__API_KEY
    base_url = "https://..."            # optional: ACCOUNTS__<VENDOR>__<NAME>__BASE_URL

A command given `--account NAME` uses that account's key and base URL (a `--base-url` flag still
wins), extracts into its own dataset `<vendor>_<name>` unless `--dataset` is given, and records
the account in the dataset's one-row table `_sales_tasks_account` (vendor, account, host), so a
view over several datasets can name the account of every row. The push keys its ledger by the
account's name. The account is part of the job's identity (`pipelines.jobs`): two accounts on one
base URL are two jobs, with their own pipeline names, state and locks. Without `--account`, the
account is the base URL's host (and port), as the push ledger's default.

Values are read through dlt's own providers (environment, then `.dlt/secrets.toml`, then
`.dlt/config.toml` for the base URL; the key only from a provider that holds secrets), at the
account's exact section: a key of another section never stands in for an account's. dlt has no
way to list what the environment holds, so `account_names` also reads the names of the
`ACCOUNTS__<VENDOR>__<NAME>__API_KEY` / `__BASE_URL` variables; their values still come from dlt.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from clients.core.errors import ActionableError
from pipelines.exit_codes import EXIT_USAGE

SECTION = "accounts"
ACCOUNT_TABLE = "_sales_tasks_account"
# PostgreSQL cuts identifiers at 63 bytes; a longer dataset name keeps a digest of the whole.
MAX_DATASET_LENGTH = 63
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_KEYS = ("api_key", "base_url")


class AccountConfigError(ActionableError, ValueError):
    """An account named on the command line is not configured, or is configured without a key."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Account:
    """One account of a vendor: its name, its key (never shown) and its base URL, if set."""

    vendor: str
    name: str
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None


class AppliedAccount(NamedTuple):
    """What a command runs with once `--account` is applied (see `apply_account`)."""

    api_key: str | None
    base_url: str | None
    dataset: str | None
    account: str | None  # the named account, None without `--account`


def _env_name(vendor: str, name: str, key: str) -> str:
    return f"{SECTION}__{vendor}__{name}__{key}".upper()


def _section(vendor: str, name: str) -> str:
    return f"[{SECTION}.{vendor}.{name}]"


def _providers() -> list[Any]:
    """dlt's config providers in dlt's order, without the short-name one (`APOLLO_API_KEY`
    answers for the vendor's own section, never for one of its accounts)."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    from clients.core.config import PROVIDER_NAME

    providers = Container()[PluggableRunContext].providers.providers
    return [p for p in providers if p.name != PROVIDER_NAME]


def _lookup(vendor: str, name: str, key: str, *, secret: bool) -> str | None:
    """The value of `accounts.<vendor>.<name>.<key>` from the first provider that has it."""
    for provider in _providers():
        if secret and not provider.supports_secrets:
            continue
        value, _ = provider.get_value(key, Any, None, SECTION, vendor, name)
        if value not in (None, ""):
            return str(value)
    return None


def _check_name(vendor: str, name: str) -> None:
    if not _NAME.match(name):
        raise AccountConfigError(
            f"account name {name!r} of {vendor}: use letters, digits, '_' or '-' (it names the"
            f" section {_section(vendor, '<name>')} and the dataset {vendor}_<name>)"
        )


def account_names(vendor: str) -> list[str]:
    """The accounts configured for `vendor`, sorted (what an orchestrator fans out over).

    From the `[accounts.<vendor>]` sections of the toml files and the environment's
    `ACCOUNTS__<VENDOR>__<NAME>__API_KEY` / `__BASE_URL` names (lower-cased). Empty when none.

    Raises:
        AccountConfigError: a name is not usable, or two names would share one dataset.
    """
    found: dict[str, str] = {}  # casefolded -> as spelled (toml spelling wins)
    prefix = f"{SECTION}__{vendor}__".upper()
    for env in os.environ:
        if env.startswith(prefix):
            name, sep, key = env[len(prefix) :].rpartition("__")
            if sep and key.lower() in _KEYS and name:
                found.setdefault(name.casefold(), name.lower())
    for provider in _providers():
        if provider.name == "Environment Variables":
            continue
        try:
            table, _ = provider.get_value(vendor, Any, None, SECTION)
        except Exception:  # noqa: BLE001 - a provider that cannot answer for a table (a vault)
            continue
        if isinstance(table, dict):
            for name, values in table.items():
                if isinstance(values, dict):
                    found[str(name).casefold()] = str(name)
    names = sorted(found.values())
    datasets: dict[str, str] = {}
    for name in names:
        _check_name(vendor, name)
        other = datasets.setdefault(account_dataset(vendor, name), name)
        if other != name:
            raise AccountConfigError(
                f"accounts {other!r} and {name!r} of {vendor} would share the dataset"
                f" {account_dataset(vendor, name)}: rename one of them"
            )
    return names


def resolve_account(vendor: str, name: str) -> Account:
    """The configured account `name` of `vendor`, with its key.

    Raises:
        AccountConfigError: one line naming the variable or toml section to set (never the key)
            when the account is not configured, or is configured without a key.
    """
    _check_name(vendor, name)
    configured = account_names(vendor)
    name = {n.casefold(): n for n in configured}.get(name.casefold(), name)
    api_key = _lookup(vendor, name, "api_key", secret=True)
    base_url = _lookup(vendor, name, "base_url", secret=False)
    if api_key is None:
        known = [n for n in configured if n != name]
        listed = f" (configured: {', '.join(known)})" if known else ""
        what = "has no API key" if base_url is not None else "is not configured"
        raise AccountConfigError(
            f"{vendor} account {name!r} {what}{listed}: set {_env_name(vendor, name, 'api_key')}"
            f" or api_key in {_section(vendor, name)} of .dlt/secrets.toml"
        )
    return Account(vendor, name, api_key, base_url.rstrip("/") if base_url else None)


def configured_account(vendor: str, name: str | None) -> Account | None:
    """The push's reading of `--account NAME`: the configured account, or None when `vendor`
    has no accounts configured at all (the name then only names the ledger's account, as
    before accounts could be configured).

    Raises:
        AccountConfigError: the vendor has accounts but not this one (a typo must not push with
            the vendor's default key), or this one has no key.
    """
    if not name:
        return None
    names = account_names(vendor)
    if not names:
        return None
    return resolve_account(vendor, name)


def account_dataset(vendor: str, name: str) -> str:
    """The dataset of account `name`: `<vendor>_<name>`, lower-case, safe as a schema name.

    Characters other than letters and digits become `_`; past 63 characters the name is cut
    and ends in a digest of the whole, so two long names never meet.
    """
    text = re.sub(r"[^a-z0-9]+", "_", f"{vendor}_{name}".lower()).strip("_")
    if not text or not text[0].isalpha():
        text = f"a_{text}"
    if len(text) > MAX_DATASET_LENGTH:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        text = f"{text[: MAX_DATASET_LENGTH - 9].rstrip('_')}_{digest}"
    return text


def default_account_name(base_url: str) -> str:
    """The account of a run without `--account`: the base URL's host and port (the ledger's)."""
    from destinations.core.settings import default_account

    return default_account(base_url)


def apply_account(
    vendor: str,
    account: str | None,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    dataset: str | None = None,
) -> AppliedAccount:
    """Apply `--account` to a command's settings; values given explicitly win.

    Without an account, returns the arguments as they are (the vendor's config decides).
    With one, the account's key and base URL fill what was not given, and the dataset
    defaults to `account_dataset(vendor, account)`.

    Raises:
        AccountConfigError: the account is not configured, or has no key.
    """
    if not account:
        return AppliedAccount(api_key, base_url, dataset, None)
    resolved = resolve_account(vendor, account)
    return AppliedAccount(
        api_key or resolved.api_key,
        base_url or resolved.base_url,
        dataset or account_dataset(vendor, resolved.name),
        resolved.name,  # as configured: `ACME` on the command line is the account `acme`
    )


def add_account_argument(parser: argparse.ArgumentParser, *, help_text: str | None = None) -> None:
    """`--account NAME`: run as the account `[accounts.<vendor>.<NAME>]` of dlt config."""
    parser.add_argument(
        "--account",
        default=None,
        metavar="NAME",
        help=help_text
        or "run as the configured account NAME ([accounts.VENDOR.NAME] in dlt config): its key,"
        " base URL and dataset VENDOR_NAME",
    )


def record_account(pipeline: Any, vendor: str, account: str, base_url: str) -> str | None:
    """Write the dataset's one-row table `_sales_tasks_account` (vendor, account, host).

    Returns a warning when the dataset held another account's row: its data now mixes two
    accounts (give each its own dataset), else None.
    """
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name(ACCOUNT_TABLE)
        client.execute_sql(
            f"CREATE TABLE IF NOT EXISTS {table}"
            " (vendor VARCHAR NOT NULL, account VARCHAR NOT NULL, host VARCHAR NOT NULL)"
        )
        before = client.execute_sql(f"SELECT vendor, account FROM {table}") or []
        with client.begin_transaction():
            client.execute_sql(f"DELETE FROM {table}")
            client.execute_sql(
                f"INSERT INTO {table} (vendor, account, host) VALUES (%s, %s, %s)",
                vendor,
                account,
                default_account_name(base_url),
            )
    others = sorted({f"{v} {a}" for v, a in before if (v, a) != (vendor, account)})
    if not others:
        return None
    return (
        f"dataset {pipeline.dataset_name} held data of {', '.join(others)} too; it now mixes"
        f" accounts and {ACCOUNT_TABLE} names only {vendor} {account}: give each account its own"
        " dataset (the default with --account)"
    )
