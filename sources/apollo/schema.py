"""Table design and record-to-Arrow conversion for the Apollo tasks source.

Facts relied on: every field of the sample task on Apollo's older task search page, embedded
`contact` and `account` (`/api/v1/tasks/search`), plus the fields the current spec example adds (`opportunity_id`,
`title`, `rule_config_id`, `creator_id`). Many are null in every sample: they are declared here so
they exist with a type anyway. Timestamps come as `...436Z` or `...000+00:00` and are stored in
UTC; ids are text; lists and free-form objects are JSON text. Fields Apollo adds later land, as JSON, in
each table's `extra_fields` column, so nothing is silently dropped.

Rows become Arrow tables (one per batch of pages), which dlt loads without per-row normalisation
(`sales_tasks.sources.core.schema`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from sales_tasks.sources.core.schema import (
    TColumns,
    TKind,
    arrow_schema,
    column_array,
    dlt_columns,
    records_table,
)

TASK_COLUMNS: TColumns = (
    ("id", "text"),
    ("user_id", "text"),
    ("creator_id", "text"),
    ("created_at", "timestamp"),
    ("due_at", "timestamp"),
    ("completed_at", "timestamp"),
    ("skipped_at", "timestamp"),
    ("type", "text"),
    ("priority", "text"),
    ("status", "text"),
    ("title", "text"),
    ("subject", "text"),
    ("note", "text"),
    ("answered", "bool"),
    ("contact_id", "text"),
    ("account_id", "text"),
    ("person_id", "text"),
    ("organization_id", "text"),
    ("opportunity_id", "text"),
    ("emailer_campaign_id", "text"),
    ("playbook_id", "text"),
    ("rule_config_id", "text"),
    ("persona_ids", "json"),
    ("playbook_step_ids", "json"),
    ("starred_by_user_ids", "json"),
    ("created_from", "text"),
    ("salesforce_type", "text"),
    ("salesforce_id", "text"),
    ("hubspot_id", "text"),
    ("needs_playbook_autoprospecting", "bool"),
    ("extra_fields", "json"),
)
# Embedded records: loaded into their own tables, only their ids stay on the task.
TASK_EMBEDDED = frozenset({"contact", "account", "opportunity"})

CONTACT_COLUMNS: TColumns = (
    ("id", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("name", "text"),
    ("email", "text"),
    ("email_status", "text"),
    ("title", "text"),
    ("headline", "text"),
    ("linkedin_url", "text"),
    ("linkedin_uid", "text"),
    ("photo_url", "text"),
    ("account_id", "text"),
    ("organization_id", "text"),
    ("organization_name", "text"),
    ("owner_id", "text"),
    ("person_id", "text"),
    ("contact_stage_id", "text"),
    ("present_raw_address", "text"),
    ("sanitized_phone", "text"),
    ("source", "text"),
    ("original_source", "text"),
    ("existence_level", "text"),
    ("created_at", "timestamp"),
    ("updated_at", "timestamp"),
    ("last_activity_date", "timestamp"),
    ("direct_dial_enrichment_failed_at", "timestamp"),
    ("direct_dial_status", "text"),
    ("email_needs_tickling", "bool"),
    ("email_manually_changed", "bool"),
    ("email_unsubscribed", "bool"),
    ("queued_for_crm_push", "bool"),
    ("has_pending_email_arcgate_request", "bool"),
    ("has_email_arcgate_request", "bool"),
    ("extrapolated_email_confidence", "double"),
    ("test_predictive_score", "double"),
    ("salesforce_id", "text"),
    ("salesforce_lead_id", "text"),
    ("salesforce_contact_id", "text"),
    ("salesforce_account_id", "text"),
    ("salesforce_record_url", "text"),
    ("crm_owner_id", "text"),
    ("hubspot_vid", "text"),
    ("hubspot_company_id", "text"),
    ("outreach_id", "text"),
    ("outreach_url", "text"),
    ("salesloft_id", "text"),
    ("salesloft_url", "text"),
    ("suggested_from_rule_engine_config_id", "text"),
    ("account_phone_note", "text"),
    ("emailer_campaign_ids", "json"),
    ("merged_crm_ids", "json"),
    ("label_ids", "json"),
    ("typed_custom_fields", "json"),
    ("extra_fields", "json"),
)
CONTACT_EMBEDDED = frozenset({"phone_numbers"})

ACCOUNT_COLUMNS: TColumns = (
    ("id", "text"),
    ("name", "text"),
    ("domain", "text"),
    ("team_id", "text"),
    ("organization_id", "text"),
    ("account_stage_id", "text"),
    ("owner_id", "text"),
    ("parent_account_id", "text"),
    ("phone", "text"),
    ("phone_status", "text"),
    ("sanitized_phone", "text"),
    ("source", "text"),
    ("original_source", "text"),
    ("existence_level", "text"),
    ("modality", "text"),
    ("created_at", "timestamp"),
    ("test_predictive_score", "double"),
    ("hubspot_id", "text"),
    ("salesforce_id", "text"),
    ("salesforce_record_url", "text"),
    ("crm_owner_id", "text"),
    ("label_ids", "json"),
    ("account_playbook_statuses", "json"),
    ("persona_counts", "json"),
    ("typed_custom_fields", "json"),
    ("extra_fields", "json"),
)

# Users search (`GET /api/v1/users/search`): the task owners (`tasks.user_id`).
USER_COLUMNS: TColumns = (
    ("id", "text"),
    ("email", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("name", "text"),
    ("title", "text"),
    ("team_id", "text"),
    ("created_at", "timestamp"),
    ("deleted", "bool"),
)

PHONE_NUMBER_COLUMNS: TColumns = (
    ("contact_id", "text"),
    ("position", "bigint"),
    ("raw_number", "text"),
    ("sanitized_number", "text"),
    ("type", "text"),
    ("status", "text"),
    ("extra_fields", "json"),
)

TASK_TYPE_COUNT_COLUMNS: TColumns = (
    ("run_id", "text"),
    ("counted_at", "timestamp"),
    ("value", "text"),
    ("display_name", "text"),
    ("count", "bigint"),
)

SEEN_TASK_ID_COLUMNS: TColumns = (("run_id", "text"), ("id", "text"))

__all__ = [
    "ACCOUNT_COLUMNS",
    "CONTACT_COLUMNS",
    "PHONE_NUMBER_COLUMNS",
    "SEEN_TASK_ID_COLUMNS",
    "TASK_COLUMNS",
    "TASK_TYPE_COUNT_COLUMNS",
    "USER_COLUMNS",
    "TColumns",
    "TKind",
    "accounts_table",
    "arrow_schema",
    "column_array",
    "contacts_table",
    "dlt_columns",
    "phone_numbers_table",
    "records_table",
    "tasks_table",
]


def tasks_table(tasks: Sequence[Mapping[str, Any]]) -> pa.Table:
    """One row per task; embedded contact/account keep only their ids on the task."""
    contact_ids = [t.get("contact_id") or _embedded_id(t, "contact") for t in tasks]
    account_ids = [t.get("account_id") or _embedded_id(t, "account") for t in tasks]
    return records_table(
        tasks,
        TASK_COLUMNS,
        embedded=TASK_EMBEDDED,
        computed={"contact_id": contact_ids, "account_id": account_ids},
    )


def contacts_table(contacts: Sequence[Mapping[str, Any]]) -> pa.Table:
    return records_table(contacts, CONTACT_COLUMNS, embedded=CONTACT_EMBEDDED)


def accounts_table(accounts: Sequence[Mapping[str, Any]]) -> pa.Table:
    return records_table(accounts, ACCOUNT_COLUMNS)


def phone_numbers_table(contacts: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The child table of `contacts.phone_numbers`: one row per number, keyed by contact id."""
    rows: list[Mapping[str, Any]] = []
    owners: list[Any] = []
    positions: list[Any] = []
    for contact in contacts:
        numbers = contact.get("phone_numbers")
        if not isinstance(numbers, list):
            continue
        for index, number in enumerate(numbers):
            if not isinstance(number, dict):
                continue
            rows.append(number)
            owners.append(contact.get("id"))
            position = number.get("position")
            positions.append(index if position is None else position)
    return records_table(
        rows,
        PHONE_NUMBER_COLUMNS,
        computed={"contact_id": owners, "position": positions},
        not_null=("contact_id", "position"),
    )


def _embedded_id(task: Mapping[str, Any], key: str) -> Any:
    embedded = task.get(key)
    return embedded.get("id") if isinstance(embedded, dict) else None
