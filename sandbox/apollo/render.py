"""Render sandbox tasks as Apollo.io JSON (people are rendered in `sandbox.render_people`).

Tasks are rendered straight to bytes from a template (no dict, no re-serialisation) and the
embedded `account` + `contact` tail is cached per contact in a bounded FIFO cache
(`contact_cache_size`): a page of 200 full tasks is then one join of byte strings, which keeps
the sandbox off the critical path of 100,000-task benchmarks.

Facts relied on: the field lists and order of seed 002's sample task (every field, nulls
included) plus the fields the current spec example adds (`opportunity_id`, `title`,
`rule_config_id`, `creator_id`); users follow the users-search example.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import orjson

from sales_tasks.sandbox.apollo import render_people as people
from sales_tasks.sandbox.apollo.data import CREATED_FROM, PRIORITIES, STATUSES, TASK_TYPES, Dataset
from sales_tasks.sandbox.apollo.util import COUNTER_MOD, iso_ms_offset, iso_ms_z
from sales_tasks.sandbox.core import names

NULL = b"null"


class TaskRow(NamedTuple):
    """The variable parts of one task; text fields are pre-encoded JSON values."""

    id: str
    user_id: str
    created_ms: int
    due_ms: int
    done_ms: int
    type_code: int
    status_code: int
    priority_code: int
    contact: int
    note_json: bytes
    title_json: bytes
    answered_json: bytes
    created_from_json: bytes
    creator_json: bytes


_TASK_HEAD = (
    b'{"emailer_campaign_id":null,"id":"%s","user_id":"%s","created_at":"%s","completed_at":%s,'
    b'"note":%s,"skipped_at":%s,"due_at":"%s","type":"%s","priority":"%s","status":%s,'
    b'"answered":%s,"contact_id":"%s","person_id":null,"account_id":"%s","organization_id":%s,'
    b'"persona_ids":[],"subject":null,"created_from":%s,"salesforce_type":null,'
    b'"playbook_step_ids":[],"playbook_id":null,"needs_playbook_autoprospecting":null,'
    b'"starred_by_user_ids":[],"salesforce_id":null,"hubspot_id":null,"opportunity_id":null,'
    b'"title":%s,"rule_config_id":null,"creator_id":%s,%s'
)
# Keys a later recording added that no doc lists: parsers must keep what they do not know.
UNDOCUMENTED = '"call_script":null,"relevant_fields":[],"pending_send":false,'
_UNDOCUMENTED_B = UNDOCUMENTED.encode()
_TYPE_B = [t.encode() for t in TASK_TYPES]
# Index len(STATUSES) is a task created without a status: Apollo stores null (recorded).
_STATUS_B = [b'"%s"' % s.encode() for s in STATUSES] + [NULL]
_PRIORITY_B = [p.encode() for p in PRIORITIES]
NOTE_JSON = [orjson.dumps(n) for n in names.NOTES]
TITLE_JSON = [orjson.dumps(t) for t in names.TASK_TITLES]
CREATED_FROM_JSON = [orjson.dumps(v) for v in CREATED_FROM]
API_JSON = b'"api"'
NOTE_STR = [v.decode() for v in NOTE_JSON]
TITLE_STR = [v.decode() for v in TITLE_JSON]
CREATED_FROM_STR = [v.decode() for v in CREATED_FROM_JSON]
Q = '"'
_MIDDLE = (
    '"salesforce_type":null,"playbook_step_ids":[],"playbook_id":null,'
    '"needs_playbook_autoprospecting":null,"starred_by_user_ids":[],"salesforce_id":null,'
    '"hubspot_id":null,"opportunity_id":null,'
)


def json_str(value: str | None) -> bytes:
    return orjson.dumps(value)


class Renderer:
    """Turns dataset rows into JSON; caches the per-contact account+contact fragment."""

    def __init__(self, ds: Dataset, contact_cache_size: int = 131_072) -> None:
        self.ds = ds
        self.cache_size = contact_cache_size
        self._parts: dict[int, tuple[str, str, str, bytes]] = {}
        self.account_json = lru_cache(maxsize=max(1, contact_cache_size // 4))(self._account_json)
        self._task_machine, self._task_start = ds.ids["task"].machine, ds.ids["task"].start

    def seed_tasks(self, idx: np.ndarray) -> list[tuple[bytes, bytes]]:
        """Seed tasks `idx` (unpatched text fields), vectorised per page: the hot path of tasks
        search. Each task is (head, cached account+contact tail); joining them once, with the
        rest of the page, avoids copying the big tail per task."""
        ds = self.ds
        created = ds.t_created[idx]
        created_s = np.datetime_as_string(created.astype("datetime64[ms]"), unit="ms").tolist()
        due_s = np.datetime_as_string(ds.t_due[idx].astype("datetime64[ms]"), unit="ms").tolist()
        done_s = np.datetime_as_string(ds.t_done[idx].astype("datetime64[ms]"), unit="ms").tolist()
        ts = (created // 1000).tolist()
        counters = ((idx + self._task_start) % COUNTER_MOD).tolist()
        types, statuses = ds.t_type[idx].tolist(), ds.t_status[idx].tolist()
        columns = zip(
            ts,
            counters,
            ds.t_user[idx].tolist(),
            created_s,
            due_s,
            done_s,
            types,
            statuses,
            ds.t_priority[idx].tolist(),
            ds.t_note[idx].tolist(),
            ds.t_title[idx].tolist(),
            ds.t_answered[idx].tolist(),
            ds.t_from[idx].tolist(),
            ds.t_has_creator[idx].tolist(),
            strict=True,
        )
        machine, user_ids = self._task_machine, ds.user_ids
        parts = self.contact_parts_many(ds.t_contact[idx].tolist())
        out = []
        for (
            (t, ctr, u, cr, due, done, ty, st, pr, note, title, ans, frm, has_creator),
            (contact_id, account_id, org, fragment),
        ) in zip(columns, parts, strict=True):
            user_id = user_ids[u]
            answered = ("true" if ans else "false") if ty == 0 and st == 1 else "null"
            out.append(
                (
                    (
                        f'{{"emailer_campaign_id":null,"id":"{t:08x}{machine}{ctr:06x}",'
                        f'"user_id":"{user_id}","created_at":"{cr}Z",'
                        f'"completed_at":{f"{Q}{done}+00:00{Q}" if st == 1 else "null"},'
                        f'"note":{NOTE_STR[note] if note >= 0 else "null"},'
                        f'"skipped_at":{f"{Q}{done}+00:00{Q}" if st == 2 else "null"},'
                        f'"due_at":"{due}+00:00","type":"{TASK_TYPES[ty]}",'
                        f'"priority":"{PRIORITIES[pr]}","status":"{STATUSES[st]}",'
                        f'"answered":{answered},"contact_id":"{contact_id}","person_id":null,'
                        f'"account_id":"{account_id}","organization_id":{org},'
                        f'"persona_ids":[],"subject":null,"created_from":{CREATED_FROM_STR[frm]},'
                        f"{_MIDDLE}"
                        f'"title":{TITLE_STR[title] if title >= 0 else "null"},'
                        f'"rule_config_id":null,'
                        f'"creator_id":{f"{Q}{user_id}{Q}" if has_creator else "null"},'
                        f"{UNDOCUMENTED}"
                    ).encode(),
                    fragment,
                )
            )
        return out

    # -- tasks ------------------------------------------------------------------------------------
    def task(self, row: TaskRow) -> bytes:
        """One task from its row (created or patched tasks; pages use `seed_tasks`)."""
        contact_id, account_id, org, fragment = self.contact_parts(row.contact)
        done = iso_ms_offset(row.done_ms).encode()
        completed = b'"%s"' % done if row.status_code == 1 else NULL
        skipped = b'"%s"' % done if row.status_code == 2 else NULL
        head = _TASK_HEAD % (
            row.id.encode(),
            row.user_id.encode(),
            iso_ms_z(row.created_ms).encode(),
            completed,
            row.note_json,
            skipped,
            iso_ms_offset(row.due_ms).encode(),
            _TYPE_B[row.type_code],
            _PRIORITY_B[row.priority_code],
            _STATUS_B[row.status_code],
            row.answered_json,
            contact_id.encode(),
            account_id.encode(),
            org.encode(),
            row.created_from_json,
            row.title_json,
            row.creator_json,
            _UNDOCUMENTED_B,
        )
        return head + fragment

    def seed_row(self, i: int, overrides: dict[str, bytes] | None = None) -> TaskRow:
        """The row of seed task `i`; `overrides` holds patched text fields (note, title)."""
        ds = self.ds
        note = int(ds.t_note[i])
        title = int(ds.t_title[i])
        type_code = int(ds.t_type[i])
        status = int(ds.t_status[i])
        user = int(ds.t_user[i])
        answered = (
            (b"true" if ds.t_answered[i] else b"false") if type_code == 0 and status == 1 else NULL
        )
        row = TaskRow(
            id=ds.task_id(i),
            user_id=ds.user_ids[user],
            created_ms=int(ds.t_created[i]),
            due_ms=int(ds.t_due[i]),
            done_ms=int(ds.t_done[i]),
            type_code=type_code,
            status_code=status,
            priority_code=int(ds.t_priority[i]),
            contact=int(ds.t_contact[i]),
            note_json=NOTE_JSON[note] if note >= 0 else NULL,
            title_json=TITLE_JSON[title] if title >= 0 else NULL,
            answered_json=answered,
            created_from_json=CREATED_FROM_JSON[int(ds.t_from[i])],
            creator_json=b'"%s"' % ds.user_ids[user].encode() if ds.t_has_creator[i] else NULL,
        )
        if overrides:
            row = row._replace(**overrides)  # type: ignore[arg-type]
        return row

    # -- account + contact ------------------------------------------------------------------------
    def contact_parts_many(self, cs: list[int]) -> list[tuple[str, str, str, bytes]]:
        """(contact id, account id, organization_id JSON, `"account":{..},"contact":{..}}`: the
        tail of a task) per contact; misses are rendered in one batch and kept in a bounded FIFO cache."""
        cache = self._parts
        missing = sorted({c for c in cs if c not in cache})
        if not missing:
            return [cache[c] for c in cs]
        ds = self.ds
        fresh = {}
        for c, (cid, aid, org, text) in zip(
            missing, people.contacts_json(ds, missing), strict=True
        ):
            account = self.account_json(int(ds.c_account[c]))
            fresh[c] = (cid, aid, org, f'"account":{account},"contact":{text}}}'.encode())
        out = [fresh[c] if c in fresh else cache[c] for c in cs]
        cache.update(fresh)
        while len(cache) > self.cache_size:
            del cache[next(iter(cache))]
        return out

    def forget_contacts(self, *cs: int) -> None:
        """Drop the cached fragments of contacts `cs` (all when none given): they changed."""
        if not cs:
            self._parts.clear()
        for c in cs:
            self._parts.pop(c, None)

    def contact_parts(self, c: int) -> tuple[str, str, str, bytes]:
        return self.contact_parts_many([c])[0]

    def _account_json(self, a: int) -> str:
        return orjson.dumps(people.account(self.ds, a)).decode()

    def account(self, a: int) -> dict[str, Any]:
        return people.account(self.ds, a)

    def contacts(self, cs: list[int]) -> list[dict[str, Any]]:
        return [orjson.loads(parts[3]) for parts in people.contacts_json(self.ds, cs)]

    def contact(self, c: int) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(people.contacts_json(self.ds, [c])[0][3])
        return data

    def contact_with_account(self, c: int) -> dict[str, Any]:
        """A contact as contacts search returns it: the account embedded."""
        data = self.contact(c)
        data["account"] = self.account(int(self.ds.c_account[c]))
        return data

    def user(self, u: int) -> dict[str, Any]:
        return people.user(self.ds, u)
