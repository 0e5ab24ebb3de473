"""The deterministic seed dataset of the Reply.io emulator: users, contacts and tasks.

Tasks are kept as the emulator answers them (numeric enum codes, ISO times) plus private `_`
fields for filtering; `render` turns one into the answer.

The shape is meant to look like a real sales team's, so analyses of the sandbox say something
: each task type has its own completion time and cancel rate (a call is done within
hours, a LinkedIn step takes days and is often cancelled), a few owners carry most of the work
and the busiest finish less of it, work follows a weekday rhythm (quiet weekends, office hours),
an overdue backlog of open tasks builds up but old open work is cleared (archived) as it ages, and
about a third of the tasks are planned days ahead, so open work is partly upcoming. Seed tasks were
created over the 120 days before the anchor; planned ones start up to three weeks after it.

Guesses: integer ids are sequential per kind (tasks in creation order); one contact's email is
another's with different case (Reply keeps both as separate contacts).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from sales_tasks.sandbox.core import names
from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply.times import DAY_MS, anchor_ms, iso

HOUR_MS = 3_600_000
HISTORY_DAYS = 120
# Monday .. Sunday: how much work a day of the week sees.
WEEKDAY_WEIGHTS = (1.0, 1.1, 1.05, 1.0, 0.8, 0.12, 0.08)
# Share of tasks scheduled days ahead of their creation (a call booked for next week, a later
# sequence step), and how far: together they keep upcoming work next to the overdue backlog.
PLANNED_AHEAD = 0.35
MAX_DAYS_AHEAD = 21
# An open task overdue this many days is still open with chance 1/e (else archived).
STALE_DAYS = 30


@dataclass(frozen=True)
class TypeProfile:
    """How one task type behaves: share of tasks, hours from start to due, median hours to
    complete (log-normal), chance of being cancelled and of being done at all."""

    weight: float
    due_hours: float
    done_median_hours: float
    cancel_rate: float
    finish_rate: float
    label: str
    bodies: tuple[str, ...]


PROFILES: dict[int, TypeProfile] = {
    0: TypeProfile(
        0.12,
        72,
        30,
        0.08,
        0.70,
        "To-do",
        ("Prepare a proposal for {{company}}", "Research {{firstName}}'s team before the demo"),
    ),
    2: TypeProfile(
        0.30,
        24,
        5,
        0.12,
        0.72,
        "Call",
        ("Call {{firstName}} about the trial", "Follow-up call: pricing for {{company}}"),
    ),
    4: TypeProfile(
        0.06,
        1,
        0.5,
        0.15,
        0.80,
        "Meeting",
        ("Discovery meeting with {{firstName}} {{lastName}}", "Demo for {{company}}"),
    ),
    5: TypeProfile(
        0.20,
        72,
        40,
        0.22,
        0.55,
        "LinkedIn",
        ("Hi {{firstName}}, great to connect!", "{{firstName}}, saw your post about {{company}}"),
    ),
    7: TypeProfile(
        0.22,
        48,
        8,
        0.06,
        0.85,
        "Email",
        (
            "Hi {{firstName}},\n\nFollowing up on my last note about {{company}}.",
            "Hi {{firstName}}, do you have 15 minutes this week?",
        ),
    ),
    8: TypeProfile(
        0.05,
        24,
        3,
        0.10,
        0.80,
        "SMS",
        ("Hi {{firstName}}, quick question about {{company}}",),
    ),
    9: TypeProfile(
        0.05,
        24,
        4,
        0.10,
        0.75,
        "WhatsApp",
        ("Hi {{firstName}}! Is now a good time to chat?",),
    ),
}
SUBJECTS = ("Quick question", "Following up", "{{company}} + us", None)
TASK_ID_BASE = 58_000_000
CONTACT_ID_BASE = 3_100_000
USER_ID_BASE = 41_000
SEQUENCE_ID_BASE = 900


def sizes_for(tasks: int) -> tuple[int, int]:
    """(users, contacts) for a dataset of `tasks` seed tasks."""
    return min(30, max(6, tasks // 400)), max(20, tasks // 3)


def render_template(text: str, contact: dict[str, Any]) -> str:
    """`text` with the handlebars variables the seed bodies use filled from `contact`."""
    for var in ("firstName", "lastName", "company", "email"):
        text = text.replace("{{" + var + "}}", str(contact.get(var) or ""))
    return text


class Dataset:
    """Users, contacts and tasks of one seed, built once at start."""

    def __init__(
        self,
        tasks: int,
        seed: int,
        anchor_date: str | None,
        contacts: int | None = None,
        users: int | None = None,
        history_days: int = HISTORY_DAYS,
    ) -> None:
        self.anchor_ms = anchor_ms(anchor_date)
        self.history_days = history_days
        default_users, default_contacts = sizes_for(tasks)
        self.n_users = users or default_users
        self.n_contacts = contacts or default_contacts
        self.users = self._users(random.Random(f"{seed}:users"))
        self.contacts = self._contacts(random.Random(f"{seed}:contacts"))
        self.contact_by_id = {c["id"]: c for c in self.contacts}
        self.tasks = self._tasks(
            random.Random(f"{seed}:tasks"), tasks, random.Random(f"{seed}:plan")
        )

    # -- people -----------------------------------------------------------------------------------
    def _users(self, rng: random.Random) -> list[dict[str, Any]]:
        out = []
        for i in range(self.n_users):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            out.append(
                {
                    "id": USER_ID_BASE + i,
                    "email": f"{first}.{last}{i}@sandbox-sales.test".lower(),
                    "firstName": first,
                    "lastName": last,
                }
            )
        # A few owners carry most of the work (Zipf-like); the busiest are the least diligent.
        raw = [1.0 / (i + 1) ** 1.1 for i in range(self.n_users)]
        total = sum(raw)
        self.user_weights = [w / total for w in raw]
        self.diligence = [
            min(1.0, 0.72 + 0.05 * i + rng.uniform(0, 0.1)) for i in range(self.n_users)
        ]
        return out

    def _contacts(self, rng: random.Random) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        words_a, words_b = names.COMPANY_WORDS_A, names.COMPANY_WORDS_B
        for i in range(self.n_contacts):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            company_a, company_b = rng.choice(words_a), rng.choice(words_b)
            domain = f"{company_a}{company_b}.com".lower()
            email = f"{first}.{last}{i}@{domain}".lower()
            created = self.anchor_ms - rng.randrange(150 * DAY_MS, 700 * DAY_MS)
            out.append(
                {
                    "id": CONTACT_ID_BASE + i,
                    "email": email,
                    "firstName": first,
                    "lastName": last,
                    "company": f"{company_a} {company_b}",
                    "title": rng.choice(names.TITLES),
                    "phone": f"+1{rng.randrange(2_000_000_000, 9_999_999_999)}",
                    "linkedInUrl": f"https://www.linkedin.com/in/{first}-{last}-{i}".lower(),
                    "createdAt": iso(created),
                }
            )
        # The same address with other case is a second contact in Reply: an exact-match lookup
        # must tell them apart.
        original, twin = out[0], out[1]
        local, _, domain = original["email"].partition("@")
        twin.update({k: original[k] for k in ("firstName", "lastName", "company")})
        twin["email"] = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper()
        return out

    # -- tasks ------------------------------------------------------------------------------------
    def _tasks(self, rng: random.Random, n: int, plan: random.Random) -> list[dict[str, Any]]:
        """`n` tasks; `plan` draws planning ahead and clearing old work (its own stream)."""
        anchor = self.anchor_ms
        days = list(range(self.history_days))
        day_weights = [WEEKDAY_WEIGHTS[time_weekday(anchor - (d + 1) * DAY_MS)] for d in days]
        type_codes = list(PROFILES)
        type_cum = list(itertools.accumulate(p.weight for p in PROFILES.values()))
        users = range(self.n_users)
        user_cum = list(itertools.accumulate(self.user_weights))
        created = sorted(
            anchor
            - (d + 1) * DAY_MS
            + int(rng.triangular(7.5, 18.5, 10.5) * HOUR_MS)
            + rng.randrange(HOUR_MS)
            for d in rng.choices(days, day_weights, k=n)
        )
        tasks = []
        for i, created_ms in enumerate(created):
            code = rng.choices(type_codes, cum_weights=type_cum)[0]
            owner = rng.choices(users, cum_weights=user_cum)[0]
            contact = self.contacts[rng.randrange(self.n_contacts)]
            tasks.append(self._task(rng, plan, TASK_ID_BASE + i, code, owner, contact, created_ms))
        return tasks

    def _task(
        self,
        rng: random.Random,
        plan: random.Random,
        task_id: int,
        code: int,
        owner: int,
        contact: dict[str, Any],
        created_ms: int,
    ) -> dict[str, Any]:
        prof, anchor = PROFILES[code], self.anchor_ms
        source = 2 if code == 4 and rng.random() < 0.5 else (1 if rng.random() < 0.7 else 0)
        start = created_ms + int(rng.uniform(0, 1.5 if source == 1 else 0.5) * DAY_MS)
        if plan.random() < PLANNED_AHEAD:
            start += int(plan.uniform(1, MAX_DAYS_AHEAD) * DAY_MS)
        start -= start % 1000
        due = start + int(prof.due_hours * HOUR_MS)
        status, completed = E.NEW, None
        if start <= anchor:
            roll = rng.random()
            if source == 1 and roll < 0.04:
                status = E.DETACHED
            elif roll < 0.06:
                status = E.ARCHIVED
            elif roll < 0.06 + prof.cancel_rate:
                status = E.CANCELLED
            elif rng.random() < prof.finish_rate * self.diligence[owner]:
                hours = prof.done_median_hours * math.exp(rng.gauss(0, 0.9))
                done = start + int(hours * HOUR_MS)
                if done <= anchor:
                    status, completed = E.FINISHED, done
            if status == E.NEW and due < anchor:
                # Teams clear old open work: the longer overdue, the likelier it was archived.
                overdue_days = (anchor - due) / DAY_MS
                if plan.random() > math.exp(-overdue_days / STALE_DAYS):
                    status = E.ARCHIVED
        step = rng.randrange(1, 7)
        sequence = SEQUENCE_ID_BASE + rng.randrange(8) if source == 1 else None
        body = rng.choice(prof.bodies)
        subject = rng.choice(SUBJECTS) if code == 7 else None
        if status == E.FINISHED:
            # Reply keeps only the final content of a finished task.
            body = render_template(body, contact)
            subject = render_template(subject, contact) if subject else None
        return new_task(
            task_id=task_id,
            task_type=code,
            status=status,
            contact=contact,
            user_id=self.users[owner]["id"],
            created_ms=created_ms,
            start_ms=start,
            due_ms=due,
            completed_ms=completed,
            body=body,
            subject=subject,
            linkedin_type=rng.choice((0, 0, 1, 1, 1, 2, 3)) if code == E.LINKEDIN else None,
            source=source,
            sequence=(sequence, sequence * 100 + step, f"Step {step} - {prof.label}")
            if sequence
            else None,
            is_failed=code == 7 and status == E.FINISHED and rng.random() < 0.02,
            is_scheduled=code == 7 and source == 1 and status == E.NEW and rng.random() < 0.1,
        )


def time_weekday(ms: int) -> int:
    """Monday 0 .. Sunday 6 of an epoch-ms instant (UTC)."""
    return (ms // DAY_MS + 3) % 7  # 1970-01-01 was a Thursday


def delivery(task_type: int, contact: dict[str, Any] | None) -> dict[str, Any] | None:
    """`deliveryInfo` (VENDOR-SPECS §1.4, RS @1,700,500): `{email, phoneNumber, linkedInUrl}`,
    one populated by type (email for manualEmail, phone for call and sms, profile URL for
    linkedIn); null for toDo, meeting and whatsApp (and without a contact)."""
    if contact is None or task_type not in (2, 7, 8, E.LINKEDIN):
        return None
    return {
        "email": contact["email"] if task_type == 7 else None,
        "phoneNumber": contact["phone"] if task_type in (2, 8) else None,
        "linkedInUrl": contact["linkedInUrl"] if task_type == E.LINKEDIN else None,
    }


def new_task(
    *,
    task_id: int,
    task_type: int,
    status: int,
    contact: dict[str, Any] | None,
    user_id: int,
    created_ms: int,
    start_ms: int,
    due_ms: int,
    completed_ms: int | None,
    body: str,
    subject: str | None,
    linkedin_type: int | None,
    source: int,
    sequence: tuple[int, int, str] | None = None,
    is_failed: bool = False,
    is_scheduled: bool = False,
) -> dict[str, Any]:
    """A task as the emulator keeps it: the detail's fields (enums as codes) plus `_` fields
    for filtering and deletion."""
    seq_id, step_id, step_name = sequence if sequence else (None, None, None)
    return {
        "id": task_id,
        "contactId": contact["id"] if contact is not None else None,
        "taskType": task_type,
        "status": status,
        "linkedInTaskType": linkedin_type,
        "sequenceId": seq_id,
        "sequenceStepId": step_id,
        "sequenceStepDisplayName": step_name,
        "assignedUserId": user_id,
        "creationSource": source,
        "createdAt": iso(created_ms),
        "startAt": iso(start_ms),
        "dueTo": iso(due_ms),
        "finishedAt": iso(completed_ms) if completed_ms is not None else None,
        "isFailed": is_failed,
        "isScheduled": is_scheduled,
        "template": {"body": body, "subject": subject, "attachmentIdList": None},
        "content": None,
        "deliveryInfo": delivery(task_type, contact),
        "_start": start_ms,
        "_created": created_ms,
        "_deleted": False,
    }
