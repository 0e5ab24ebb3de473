"""Many accounts of one vendor, named in dlt config, each its own job and its own dataset.

An agency runs several accounts of a vendor; each is a section of dlt config:

    [accounts.<vendor>.<name>]          # .dlt/secrets.toml (the key) / .dlt/config.toml
    api_key = "..."                     # ACCOUNTS__<VENDOR>__<NAME>__API_KEY
    base_url = "https://..."            # optional: ACCOUNTS__<VENDOR>__<NAME>__BASE_URL

A command given `--account NAME` uses that account's key and base URL (a `--base-url` flag still
wins) and extracts into its own dataset `<vendor>_<name>` unless `--dataset` is given. The push
keys its ledger by the account's name. The account is part of the job's identity
(`sales_tasks.pipelines.jobs`): two accounts on one base URL are two jobs, with their own pipeline names,
state and locks. Without `--account`, the account is the base URL's host (and port), as the push
ledger's default.

A dataset holds one account. Its table `_sales_tasks_account` (vendor, account, host, base URL,
key fingerprint: never the key) is its binding, claimed by the first extract and checked by every
later one before anything is read (`claim_dataset`): another account is refused in one line
(`DatasetOwnedError`, exit code 6), so one account's run never deletes another's rows. A view over
several datasets reads the account of every row from it.

Values are read through dlt's own providers (environment, then `.dlt/secrets.toml`, then
`.dlt/config.toml` for the base URL; the key only from a provider that holds secrets), at the
account's exact section: a key of another section never stands in for an account's. dlt has no
way to list what the environment holds, so `account_names` also reads the names of the
`ACCOUNTS__<VENDOR>__<NAME>__API_KEY` / `__BASE_URL` variables; their values still come from dlt.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sales_tasks.clients.core.errors import ActionableError
from sales_tasks.pipelines.exit_codes import EXIT_DATASET_OWNED, EXIT_USAGE

SECTION = "accounts"
ACCOUNT_TABLE = "_sales_tasks_account"
# PostgreSQL cuts identifiers at 63 bytes; a longer dataset name keeps a digest of the whole.
MAX_DATASET_LENGTH = 63
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_KEYS = ("api_key", "base_url")
# The fixed HMAC label of key fingerprints (changing it changes every fingerprint).
FINGERPRINT_LABEL = b"sales-tasks dataset owner"


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


def _where_to_set(vendor: str, name: str) -> str:
    """Where a person sets the account's key. A name with `-` makes a variable name bash cannot
    `export` (`ACCOUNTS__APOLLO__ACME-EU__API_KEY`): the file comes first then, and `env` sets
    the variable for one command (dlt's environment provider reads it as spelled)."""
    env = _env_name(vendor, name, "api_key")
    file = f"api_key in {_section(vendor, name)} of .dlt/secrets.toml"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
        return f"set {env} or {file}"
    return (
        f"set {file} (bash cannot export {env}, a name with '-'; `env '{env}=...' sales-tasks"
        " ...` sets it for one command)"
    )


def _providers() -> list[Any]:
    """dlt's config providers in dlt's order, without the short-name one (`<VENDOR>_API_KEY`
    answers for the vendor's own section, never for one of its accounts)."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    from sales_tasks.clients.core.config import PROVIDER_NAME

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
            f"{vendor} account {name!r} {what}{listed}: {_where_to_set(vendor, name)}"
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
    from sales_tasks.destinations.core.settings import default_account

    try:
        return default_account(base_url)
    except ValueError:  # no host: the vendor's client refuses it with its own line, unread
        return base_url.strip().lower()


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


def key_fingerprint(api_key: str | None) -> str | None:
    """A short, non-reversible mark of an API key: HMAC-SHA256 of the key under a fixed label,
    16 hex characters. It tells two keys apart without any table or message holding the key."""
    if not api_key:
        return None
    return hmac.new(FINGERPRINT_LABEL, api_key.encode(), hashlib.sha256).hexdigest()[:16]


class DatasetOwnedError(ActionableError, RuntimeError):
    """The dataset belongs to another account (exit code `EXIT_DATASET_OWNED`); nothing was
    read."""

    exit_code = EXIT_DATASET_OWNED


@dataclass(frozen=True)
class DatasetOwner:
    """The account an extract runs as, as the dataset's binding records it (never the key).

    `named` is a `--account` account, recognised by its name alone (its key may be rotated);
    the account of a run without `--account` is the base URL's host, and then the key's
    fingerprint must match too (two keys on one host may be two accounts).
    """

    vendor: str
    account: str
    base_url: str
    key_fingerprint: str | None = None
    named: bool = False

    @property
    def host(self) -> str:
        return default_account_name(self.base_url)

    def owns(self, vendor: str, account: str, fingerprint: str | None) -> bool:
        """Whether a binding row (vendor, account, fingerprint) is this account's."""
        if _fold(vendor) != _fold(self.vendor) or _fold(account) != _fold(self.account):
            return False
        if self.named or fingerprint is None or self.key_fingerprint is None:
            return True
        return fingerprint == self.key_fingerprint


def _fold(text: str | None) -> str:
    return (text or "").strip().casefold()


# TEXT: every SQL destination takes it (MySQL/MariaDB refuse a VARCHAR without a length).
_BINDING_COLUMNS = (("base_url", "TEXT"), ("key_fingerprint", "TEXT"))


def _binding_table(client: Any) -> str:
    """The qualified `_sales_tasks_account` table, created (with the dataset) when missing and
    given the binding columns a dataset written before them lacks."""
    if not client.has_dataset():
        client.create_dataset()
    table = client.make_qualified_table_name(ACCOUNT_TABLE)
    client.execute_sql(
        f"CREATE TABLE IF NOT EXISTS {table} (vendor TEXT NOT NULL, account TEXT NOT NULL,"
        " host TEXT NOT NULL, base_url TEXT, key_fingerprint TEXT)"
    )
    # One probe of every binding column (the usual case: all there), each column's own only
    # when one is missing.
    try:
        client.execute_sql(
            f"SELECT {', '.join(c for c, _ in _BINDING_COLUMNS)} FROM {table} WHERE 1 = 0"
        )
        return table
    except Exception:  # noqa: BLE001 - a column is missing: a binding older than it
        pass
    for column, kind in _BINDING_COLUMNS:
        try:
            client.execute_sql(f"SELECT {column} FROM {table} WHERE 1 = 0")
        except Exception:  # noqa: BLE001 - the column is missing: a binding older than it
            client.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    return table


def _owners(client: Any, table: str) -> list[tuple[str, str, str, str | None]]:
    rows = client.execute_sql(f"SELECT vendor, account, host, key_fingerprint FROM {table}")
    return [(str(v), str(a), str(h), None if f is None else str(f)) for v, a, h, f in rows or []]


def _refusal(
    dataset: str,
    owner: DatasetOwner,
    held: tuple[str, str, str, str | None],
    consequence: str = "so nothing was read and nothing was changed",
) -> str:
    vendor, account, host, fingerprint = held
    if _fold(vendor) != _fold(owner.vendor):
        hint = f"give {owner.vendor} its own dataset with --dataset NAME"
    elif _fold(account) == _fold(owner.account):
        hint = (
            "if this is the same account with a new key, delete the row of"
            f" {dataset}.{ACCOUNT_TABLE} once; else give this key its own dataset with"
            " --dataset NAME"
        )
    else:
        hint = (
            "give this account its own dataset with --dataset NAME (with --account NAME the"
            f" default is {owner.vendor}_NAME), or run as the owning account"
        )
    other_key = " with another API key" if _fold(account) == _fold(owner.account) else ""
    held_at = f" ({host})" if _fold(host) != _fold(account) else ""
    run_at = f" ({owner.host})" if _fold(owner.host) != _fold(owner.account) else ""
    return (
        f"dataset {dataset} belongs to {vendor} account {account}{held_at}; this run is"
        f" {owner.vendor} account {owner.account}{run_at}{other_key}, {consequence}: {hint}"
    )


def claim_dataset(
    pipeline: Any, owner: DatasetOwner, *, consequence: str | None = None, client: Any = None
) -> bool:
    """Bind the pipeline's dataset to `owner`, or refuse: call before anything is read.

    The dataset's `_sales_tasks_account` table names the one account whose rows the dataset
    holds. Empty (a new dataset, or one from before bindings), it is claimed for `owner`; held
    by `owner` (same vendor, same name case-insensitively and trimmed, and for an account
    without `--account` the same key fingerprint), its base URL and fingerprint are refreshed;
    held by another account, the run is refused. Two first runs of different accounts racing
    on one empty dataset both insert, both then see two owners, and both withdraw their row and
    refuse: never two owners.

    Returns:
        True when this call made the binding (`release_claim` may undo it if the run loads
        nothing), False when the dataset was already `owner`'s.

    Args:
        consequence: what the refusal says was (not) done, when the caller is past the read.
        client: the pipeline's SQL client, open, when the caller holds one for its phase
            (`sales_tasks.pipelines.destinations.phase_sql_client`); else one is opened here.

    Raises:
        DatasetOwnedError: the dataset belongs to another account (one line saying which).
    """
    from sales_tasks.pipelines.destinations import is_filesystem, phase_sql_client

    if is_filesystem(pipeline):
        return _claim_file(pipeline, owner, consequence)
    with phase_sql_client(pipeline, client) as client:
        table = _binding_table(client)
        held = _owners(client, table)
        inserted = False
        if not held:
            client.execute_sql(
                f"INSERT INTO {table} (vendor, account, host, base_url, key_fingerprint)"
                " VALUES (%s, %s, %s, %s, %s)",
                owner.vendor,
                owner.account,
                owner.host,
                owner.base_url,
                owner.key_fingerprint,
            )
            inserted = True
            held = _owners(client, table)
        others = [row for row in held if not owner.owns(row[0], row[1], row[3])]
        if others:
            if inserted:
                _delete_own_row(client, table, owner)
            said = _refusal(pipeline.dataset_name, owner, others[0], *filter(None, [consequence]))
            raise DatasetOwnedError(said)
        if not inserted:
            client.execute_sql(
                f"UPDATE {table} SET host = %s, base_url = %s,"
                " key_fingerprint = COALESCE(%s, key_fingerprint)",
                owner.host,
                owner.base_url,
                owner.key_fingerprint,
            )
    return inserted


def _claim_file(pipeline: Any, owner: DatasetOwner, consequence: str | None) -> bool:
    """`claim_dataset` on `filesystem`: the same rule, the rows in a JSON file
    (`sales_tasks.pipelines.destinations.FileBinding`)."""
    from sales_tasks.pipelines.destinations import FileBinding

    store = FileBinding(pipeline, ACCOUNT_TABLE)
    mine = {
        "vendor": owner.vendor,
        "account": owner.account,
        "host": owner.host,
        "base_url": owner.base_url,
        "key_fingerprint": owner.key_fingerprint,
    }
    held = store.read()
    inserted = not held
    if inserted:
        store.write([mine])
        held = store.read()
    key = ("vendor", "account", "key_fingerprint")
    others = [row for row in held if not owner.owns(*(row[k] for k in key))]
    if others:
        if inserted:
            store.write([row for row in held if row != mine])
        first = others[0]
        said = _refusal(
            pipeline.dataset_name,
            owner,
            (first["vendor"], first["account"], first["host"], first["key_fingerprint"]),
            *filter(None, [consequence]),
        )
        raise DatasetOwnedError(said)
    if not inserted:
        fingerprint = owner.key_fingerprint
        store.write(
            [
                {**row, "host": owner.host, "base_url": owner.base_url}
                | ({"key_fingerprint": fingerprint} if fingerprint else {})
                for row in held
            ]
        )
    return inserted


def _delete_own_row(client: Any, table: str, owner: DatasetOwner) -> None:
    client.execute_sql(
        f"DELETE FROM {table} WHERE vendor = %s AND account = %s AND host = %s",
        owner.vendor,
        owner.account,
        owner.host,
    )


def release_claim(pipeline: Any, owner: DatasetOwner) -> None:
    """Undo a binding `claim_dataset` just made, when the run then failed before loading a
    task (a wrong key must not leave the dataset bound to it)."""
    from sales_tasks.pipelines.destinations import FileBinding, is_filesystem
    from sales_tasks.sources.core.current_state import known_task_ids

    if is_filesystem(pipeline):
        if not known_task_ids(pipeline)():
            store = FileBinding(pipeline, ACCOUNT_TABLE)
            store.write(
                [
                    r
                    for r in store.read()
                    if (r["vendor"], r["account"]) != (owner.vendor, owner.account)
                ]
            )
        return
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name(ACCOUNT_TABLE)
        try:
            loaded = client.execute_sql(
                f"SELECT 1 FROM {client.make_qualified_table_name('tasks')} LIMIT 1"
            )
        except Exception:  # noqa: BLE001 - no `tasks` table: nothing of this account loaded
            loaded = []
        if not loaded:
            _delete_own_row(client, table, owner)
