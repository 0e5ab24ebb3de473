"""Render sandbox accounts, contacts and users as Apollo.io JSON.

Contacts are rendered in batches from a string template (numpy columns -> lists -> f-strings),
because a 1,000,000-task dataset has 250,000 contacts and most pages of a full sync meet contacts
not yet cached. The dict forms used by hooks and contacts search are parsed back from the same
JSON, so there is one source of truth for the shape.

Facts relied on: the contact and account field lists and order of seed 002's sample (every field,
nulls included); users follow the users-search example of the spec.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sales_tasks.sandbox.apollo.data import Dataset
from sales_tasks.sandbox.apollo.util import iso_ms_z
from sales_tasks.sandbox.core import names

# Template values are interpolated unescaped: the word lists must stay JSON-safe.
assert not any(
    '"' in w or "\\" in w
    for w in (
        *names.FIRST_NAMES,
        *names.LAST_NAMES,
        *names.TITLES,
        *names.CITIES,
        *names.COMPANY_WORDS_A,
        *names.COMPANY_WORDS_B,
    )
)
_PHONE_TYPES = ("mobile", "work_direct")


def raw_phone(digits: int) -> str:
    s = f"{digits:010d}"[-10:]
    return f"({s[:3]}) {s[3:6]}-{s[6:]}"


def account(ds: Dataset, a: int) -> dict[str, Any]:
    name, domain = ds.account_name(a)
    phone = int(ds.a_phone[a])
    sf = f"0011U0{a:012d}"
    return {
        "id": ds.account_id(a),
        "domain": domain,
        "name": name,
        "team_id": ds.team_id,
        "typed_custom_fields": {},
        "organization_id": ds.org_id(a),
        "account_stage_id": None,
        "source": "salesforce",
        "original_source": "salesforce",
        "owner_id": ds.user_ids[int(ds.a_owner[a])],
        "created_at": iso_ms_z(int(ds.a_created[a])),
        "phone": raw_phone(phone),
        "phone_status": "no_status",
        "test_predictive_score": None,
        "hubspot_id": None,
        "salesforce_id": sf,
        "crm_owner_id": None,
        "parent_account_id": None,
        "sanitized_phone": f"+1{phone}",
        "account_playbook_statuses": [],
        "existence_level": "full",
        "label_ids": [],
        "modality": "account",
        "salesforce_record_url": f"https://na85.salesforce.com/{sf}",
        "persona_counts": {},
    }


def _phones(n: int, phone: int) -> str:
    return ",".join(
        f'{{"raw_number":"{raw_phone(phone + k)}","sanitized_number":"+1{phone + k}",'
        f'"type":"{_PHONE_TYPES[k]}","position":{k},"status":"no_status"}}'
        for k in range(n)
    )


def contacts_json(ds: Dataset, cs: list[int]) -> list[tuple[str, str, str, str]]:
    """For each contact: (id, account id, organization_id as JSON, contact JSON)."""
    idx = np.asarray(cs, dtype=np.int64)
    accounts = ds.c_account[idx].tolist()
    created = np.datetime_as_string(ds.c_created[idx].astype("datetime64[ms]"), unit="ms")
    updated = np.datetime_as_string(ds.c_updated[idx].astype("datetime64[ms]"), unit="ms")
    contact_machine, contact_start = ds.ids["contact"].machine, ds.ids["contact"].start
    columns = zip(
        cs,
        accounts,
        (ds.c_created[idx] // 1000).tolist(),
        ds.c_first[idx].tolist(),
        ds.c_last[idx].tolist(),
        ds.c_title[idx].tolist(),
        ds.c_city[idx].tolist(),
        ds.c_owner[idx].tolist(),
        created.tolist(),
        updated.tolist(),
        ds.c_phones[idx].tolist(),
        ds.c_phone[idx].tolist(),
        ds.c_verified[idx].tolist(),
        strict=True,
    )
    out = []
    for c, a, ts, fi, la, ti, ci, ow, cr, up, nph, ph, ver in columns:
        first, last = names.FIRST_NAMES[fi], names.LAST_NAMES[la]
        org_name, domain = ds.account_name(a)
        org = ds.org_id(a)
        org_json = f'"{org}"' if org else "null"
        cid = f"{ts & 0xFFFFFFFF:08x}{contact_machine}{(contact_start + c) % (1 << 24):06x}"
        aid = ds.account_id(a)
        sf = f"0031U0{c:012d}"
        sanitized = f'"+1{ph}"' if nph else "null"
        text = (
            f'{{"id":"{cid}","first_name":"{first}","last_name":"{last}",'
            f'"name":"{first} {last}",'
            f'"linkedin_url":"http://www.linkedin.com/in/{first.lower()}-{last.lower()}-{c}",'
            f'"title":"{names.TITLES[ti]}","contact_stage_id":"{ds.stage_id}",'
            f'"owner_id":"{ds.user_ids[ow]}","person_id":null,"email_needs_tickling":false,'
            f'"organization_name":"{org_name}","source":"salesforce_contact",'
            f'"original_source":"salesforce_contact","organization_id":{org_json},'
            f'"headline":null,"photo_url":null,"present_raw_address":"{names.CITIES[ci]}",'
            f'"linkedin_uid":null,"extrapolated_email_confidence":0.0,"salesforce_id":"{sf}",'
            f'"salesforce_lead_id":null,"salesforce_contact_id":"{sf}",'
            f'"salesforce_account_id":"0011U0{a:012d}","crm_owner_id":null,'
            f'"created_at":"{cr}Z","test_predictive_score":null,"emailer_campaign_ids":[],'
            f'"email_manually_changed":false,"direct_dial_status":null,'
            f'"direct_dial_enrichment_failed_at":null,'
            f'"email_status":"{"verified" if ver else "unverified"}","account_id":"{aid}",'
            f'"last_activity_date":null,"hubspot_vid":null,"hubspot_company_id":null,'
            f'"sanitized_phone":{sanitized},'
            f'"merged_crm_ids":[],"typed_custom_fields":{{}},"updated_at":"{up}Z",'
            f'"queued_for_crm_push":false,"suggested_from_rule_engine_config_id":null,'
            f'"email_unsubscribed":false,"label_ids":[],'
            f'"has_pending_email_arcgate_request":false,"has_email_arcgate_request":false,'
            f'"existence_level":"full","email":"{f"{first}.{last}{c}@{domain}".lower()}",'
            f'"salesforce_record_url":"https://na85.salesforce.com/{sf}","outreach_id":null,'
            f'"outreach_url":null,"salesloft_id":null,"salesloft_url":null,'
            f'"phone_numbers":[{_phones(nph, ph)}],"account_phone_note":null}}'
        )
        out.append((cid, aid, org_json, text))
    return out


def user(ds: Dataset, u: int) -> dict[str, Any]:
    first, last = ds.user_name(u)
    return {
        "id": ds.user_ids[u],
        "team_id": ds.team_id,
        "first_name": first,
        "last_name": last,
        "title": None,
        "email": f"{first}.{last}{u}@sandbox-team.io".lower(),
        "created_at": iso_ms_z(int(ds.u_created[u])),
        "credit_limit": None,
        "direct_dial_credit_limit": None,
        "export_credit_limit": None,
        "ai_credit_limit": None,
        "salesforce_account": None,
        "deleted": False,
        "opt_out_html_template": "No longer interested in these messages? <%Unsubscribe%>",
        "name": f"{first} {last}",
        "referral_code": ds.user_ids[u][-12:],
        "password_needs_reset": False,
        "salesforce_id": None,
        "bridge_calls": False,
        "current_email_verified": True,
        "record_calls": True,
        "permission_set_id": ds.stage_id,
        "default_use_local_numbers": False,
        "typed_custom_fields": None,
        "subteam_ids": [],
        "prospect_territory_ids": [],
    }
