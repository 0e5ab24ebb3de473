"""The deterministic seed dataset of the Apollo.io sandbox, stored columnar (numpy).

Nothing is rendered here: a task, contact or account is a row index into these arrays, and
`sandbox.render` turns rows into Apollo-shaped JSON on demand. That keeps 1,000,000 tasks at a
few dozen MB and builds them in about a second.

Facts relied on (seed 002, the OpenAPI examples, NOTES.md section 1):
- Create-time task `type`s are the seven below; search facets name them differently
  (`call` -> `contact_call`, `action_item` -> `contact_action_item`, ...).
- `status` is `scheduled | completed | skipped`; `priority` is `high | medium | low`.
- `created_from` is mostly `zp_ui` for tasks made in the app, `api` for tasks made via the API.

The data's shape (how long each type takes, skip rates, owner skew, weekday rhythm, the overdue
backlog) is not an Apollo fact: it comes from `sales_tasks.sandbox.core.shape`, shared by every emulator.
"""

from __future__ import annotations

import numpy as np

from sales_tasks.sandbox.apollo.util import id_parts, make_oid, now_ms, oid_index, parse_iso
from sales_tasks.sandbox.core import names, shape

TASK_TYPES = (
    "call",
    "outreach_manual_email",
    "action_item",
    "linkedin_step_connect",
    "linkedin_step_message",
    "linkedin_step_view_profile",
    "linkedin_step_interact_post",
)
TYPE_WEIGHTS = (0.30, 0.26, 0.22, 0.08, 0.06, 0.05, 0.03)
# The cross-vendor kind of each type (`sales_tasks.sandbox.core.shape.KINDS`): how long it takes, how often
# it is skipped. A manual email is the `email` kind; an action item a `todo`.
TYPE_KINDS = (
    "call",
    "email",
    "todo",
    "linkedin_connect",
    "linkedin_message",
    "linkedin_view_profile",
    "linkedin_interact",
)
# Facet value and display name per create type. The first three and linkedin_step_connect's
# display name come from seed 002 / the spec example; the other display names are guesses.
TYPE_FACETS = {
    "call": ("contact_call", "Call Contact"),
    "outreach_manual_email": ("outreach_manual_email", "Email Contact"),
    "action_item": ("contact_action_item", "Contact Action Item"),
    "linkedin_step_connect": ("linkedin_step_connect", "LI: Send connection request"),
    "linkedin_step_message": ("linkedin_step_message", "LI: Send message"),
    "linkedin_step_view_profile": ("linkedin_step_view_profile", "LI: View profile"),
    "linkedin_step_interact_post": ("linkedin_step_interact_post", "LI: Interact with post"),
}
FACET_TO_TYPE = {facet: t for t, (facet, _) in TYPE_FACETS.items()}
STATUSES = ("scheduled", "completed", "skipped")
PRIORITIES = ("high", "medium", "low")  # code order == "highest first"
CREATED_FROM = ("zp_ui", None)

DAY_MS = shape.DAY_MS
SEED_DAYS = 365  # tasks are created over the year before the anchor


def sizes_for(tasks: int) -> tuple[int, int, int]:
    """(users, contacts, accounts) for a dataset of `tasks` tasks."""
    users = min(40, max(8, 8 + tasks // 31_250))
    contacts = max(10, tasks // 4)
    accounts = max(3, contacts // 5)
    return users, contacts, accounts


class IdFamily:
    """Ids of one kind of record: ObjectId-like, derived from (seed, kind, index), invertible."""

    def __init__(self, seed: int, kind: str) -> None:
        self.machine, self.start = id_parts(seed, kind)

    def oid(self, ts_ms: int, index: int) -> str:
        return make_oid(int(ts_ms) // 1000, self.machine, self.start + index)

    def index(self, oid: str, size: int) -> int | None:
        """The index an id was made from, or None when it is not one of ours."""
        idx = oid_index(oid, self.machine, self.start)
        return idx if idx is not None and idx < size else None


class Dataset:
    """The seed state: users, accounts, contacts and tasks as parallel numpy columns."""

    def __init__(self, tasks: int, seed: int, anchor_date: str | None) -> None:
        self.seed = seed
        if anchor_date is None:
            today = now_ms()
            self.anchor_ms = today - today % DAY_MS
        else:
            self.anchor_ms = parse_iso(anchor_date)
        self.n_tasks = tasks
        self.n_users, self.n_contacts, self.n_accounts = sizes_for(tasks)
        self.ids = {
            kind: IdFamily(seed, kind)
            for kind in ("task", "contact", "account", "user", "org", "team", "stage", "api_task")
        }
        self.team_id = self.ids["team"].oid(self.anchor_ms - 900 * DAY_MS, 0)
        self.stage_id = self.ids["stage"].oid(self.anchor_ms - 900 * DAY_MS, 0)
        self._build_users(np.random.default_rng([seed, 1]))
        self._build_accounts(np.random.default_rng([seed, 2]))
        self._build_contacts(np.random.default_rng([seed, 3]))
        self._build_tasks(np.random.default_rng([seed, 4]))
        self.user_ids = [
            self.ids["user"].oid(int(self.u_created[i]), i) for i in range(self.n_users)
        ]
        self.user_index = {uid: i for i, uid in enumerate(self.user_ids)}

    # -- builders -------------------------------------------------------------------------------
    def _build_users(self, rng: np.random.Generator) -> None:
        n = self.n_users
        self.u_first = rng.integers(0, len(names.FIRST_NAMES), n)
        self.u_last = rng.integers(0, len(names.LAST_NAMES), n)
        self.u_created = self.anchor_ms - rng.integers(400 * DAY_MS, 800 * DAY_MS, n)
        # Owner skew (one owner carries a large share, a long tail) and each owner's pace.
        self.u_weights = shape.owner_weights(rng, n)
        self.u_pace = shape.owner_pace(rng, self.u_weights)

    def _build_accounts(self, rng: np.random.Generator) -> None:
        n = self.n_accounts
        self.a_owner = rng.choice(self.n_users, n, p=self.u_weights).astype(np.int16)
        self.a_created = self.anchor_ms - rng.integers(500 * DAY_MS, 1500 * DAY_MS, n)
        self.a_has_org = rng.random(n) < 0.7
        self.a_phone = rng.integers(2_000_000_000, 9_999_999_999, n)
        # A seed-dependent rotation so different seeds name their accounts differently.
        self.a_name_offset = int(rng.integers(0, 10_000))

    def _build_contacts(self, rng: np.random.Generator) -> None:
        n = self.n_contacts
        self.c_first = rng.integers(0, len(names.FIRST_NAMES), n).astype(np.int16)
        self.c_last = rng.integers(0, len(names.LAST_NAMES), n).astype(np.int16)
        self.c_title = rng.integers(0, len(names.TITLES), n).astype(np.int16)
        self.c_city = rng.integers(0, len(names.CITIES), n).astype(np.int16)
        self.c_account = rng.integers(0, self.n_accounts, n).astype(np.int32)
        self.c_owner = rng.choice(self.n_users, n, p=self.u_weights).astype(np.int16)
        self.c_created = self.anchor_ms - rng.integers(30 * DAY_MS, 700 * DAY_MS, n)
        self.c_updated = self.c_created + rng.integers(0, 30 * DAY_MS, n)
        self.c_phones = rng.choice(3, n, p=(0.3, 0.5, 0.2)).astype(np.int8)
        self.c_phone = rng.integers(2_000_000_000, 9_999_999_999, n)
        self.c_verified = rng.random(n) < 0.8

    def _build_tasks(self, rng: np.random.Generator) -> None:
        n, anchor, kinds = self.n_tasks, self.anchor_ms, shape.kind_table(TYPE_KINDS)
        self.t_user = rng.choice(self.n_users, n, p=self.u_weights).astype(np.int16)
        self.t_contact = rng.integers(0, self.n_contacts, n).astype(np.int32)
        self.t_type = rng.choice(len(TASK_TYPES), n, p=TYPE_WEIGHTS).astype(np.int8)
        self.t_priority = rng.choice(3, n, p=(0.2, 0.6, 0.2)).astype(np.int8)
        ty, user = self.t_type, self.t_user
        # Created on working days of the past year; due a type-dependent lead later (a few
        # are scheduled weeks ahead); due and done land on weekends rarely.
        created = shape.work_times(rng, n, anchor - SEED_DAYS * DAY_MS, SEED_DAYS)
        lead = shape.lognormal_ms(rng, kinds.hours_to_due[ty], kinds.spread[ty])
        ahead = rng.random(n) < kinds.ahead_share[ty]
        ahead_ms = rng.integers(shape.AHEAD_DAYS[0] * DAY_MS, shape.AHEAD_DAYS[1] * DAY_MS, n)
        due = shape.defer_weekend(rng, created + np.where(ahead, ahead_ms, lead))
        self.t_due = due - due % 1000  # whole seconds like the app's
        self.t_created = created
        # Work starts at creation (a task scheduled ahead: its usual lead before it is due)
        # and takes a type- and owner-dependent time; a task not done by the anchor is open.
        start = np.where(ahead, np.maximum(created, self.t_due - lead), created)
        work = shape.lognormal_ms(
            rng, kinds.hours_to_done[ty] * self.u_pace[user], kinds.spread[ty]
        )
        done = shape.defer_weekend(rng, start + work)
        never = rng.random(n) < shape.stale_chance(self.u_weights)[user]
        finished = ~never & (done <= anchor)
        skipped = rng.random(n) < kinds.skip_rate[ty]
        self.t_status = np.where(finished, np.where(skipped, 2, 1), 0).astype(np.int8)
        self.t_done = np.clip(done, created + 1000, anchor)
        self.t_note = np.where(rng.random(n) < 0.55, rng.integers(0, len(names.NOTES), n), -1)
        self.t_note = self.t_note.astype(np.int16)
        self.t_title = np.where(
            rng.random(n) < 0.25, rng.integers(0, len(names.TASK_TITLES), n), -1
        ).astype(np.int8)
        self.t_from = (rng.random(n) < 0.08).astype(np.int8)
        self.t_answered = rng.integers(0, 2, n).astype(np.int8)
        self.t_has_creator = rng.random(n) < 0.6

    # -- ids --------------------------------------------------------------------------------------
    def task_id(self, i: int) -> str:
        return self.ids["task"].oid(int(self.t_created[i]), i)

    def contact_id(self, c: int) -> str:
        return self.ids["contact"].oid(int(self.c_created[c]), c)

    def account_id(self, a: int) -> str:
        return self.ids["account"].oid(int(self.a_created[a]), a)

    def org_id(self, a: int) -> str | None:
        return (
            self.ids["org"].oid(int(self.a_created[a]) - 90 * DAY_MS, a)
            if self.a_has_org[a]
            else None
        )

    def task_index(self, oid: str) -> int | None:
        i = self.ids["task"].index(oid, self.n_tasks)
        return i if i is not None and self.task_id(i) == oid else None

    def contact_index(self, oid: str) -> int | None:
        c = self.ids["contact"].index(oid, self.n_contacts)
        return c if c is not None and self.contact_id(c) == oid else None

    # -- names ------------------------------------------------------------------------------------
    def user_name(self, u: int) -> tuple[str, str]:
        return names.FIRST_NAMES[int(self.u_first[u])], names.LAST_NAMES[int(self.u_last[u])]

    def contact_name(self, c: int) -> tuple[str, str]:
        return names.FIRST_NAMES[int(self.c_first[c])], names.LAST_NAMES[int(self.c_last[c])]

    def account_name(self, a: int) -> tuple[str, str]:
        """(name, domain); unique per account."""
        na, nb = len(names.COMPANY_WORDS_A), len(names.COMPANY_WORDS_B)
        combo = (a + self.a_name_offset) % (na * nb)
        round_ = a // (na * nb)
        word_a, word_b = names.COMPANY_WORDS_A[combo % na], names.COMPANY_WORDS_B[combo // na]
        suffix = f" {round_ + 1}" if round_ else ""
        name = f"{word_a} {word_b}{suffix}"
        domain = f"{word_a}{word_b}{round_ + 1 if round_ else ''}".lower() + ".com"
        return name, domain

    def contact_email(self, c: int) -> str:
        first, last = self.contact_name(c)
        return f"{first}.{last}{c}@{self.account_name(int(self.c_account[c]))[1]}".lower()
