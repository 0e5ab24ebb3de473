"""The deterministic seed dataset of the Saleshandy sandbox: assignees, sequences, prospects and
tasks, built from (`tasks`, `seed`, anchor day) alone.

Facts relied on (seed 003, NOTES.md section 2): task types are string codes, "2".."6" LinkedIn,
"9" custom, "11".."15" call, "16".."18" WhatsApp (the list filter groups them as `linkedin |
call | whatsapp | custom`); priority "1" urgent .. "4" low or none; a task belongs to a prospect,
an assignee and, when a sequence step made it, a sequence. Prospect and task ids look like
`8PvBmrB7P7` (10 letters and digits).

The shape is a guess made to look like a real team's work : each task type has
its own completion delay and skip rate, one assignee carries far more tasks than the others and
lets more of them slip, few tasks fall due or get done on weekends, and past-due open tasks pile
up as an overdue backlog. Three prospects share one email differing only in case, and a
fourth's email contains it (`...@x.com.au`).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class TaskType:
    """A task type as Saleshandy codes it, and how the seeded team works it."""

    code: str
    name: str
    category: str
    weight: float
    delay_hours: float  # mean time from due-day morning to done
    skip_rate: float


TASK_TYPES: tuple[TaskType, ...] = (
    TaskType("2", "LinkedIn connection request", "linkedin", 0.16, 6, 0.10),
    TaskType("3", "LinkedIn message", "linkedin", 0.10, 20, 0.12),
    TaskType("4", "LinkedIn InMail", "linkedin", 0.03, 40, 0.30),
    TaskType("5", "LinkedIn view profile", "linkedin", 0.10, 2, 0.05),
    TaskType("6", "LinkedIn post interaction", "linkedin", 0.04, 10, 0.20),
    TaskType("9", "Custom", "custom", 0.08, 60, 0.15),
    TaskType("11", "Call introduction", "call", 0.12, 30, 0.18),
    TaskType("12", "Call demo", "call", 0.04, 4, 0.05),
    TaskType("13", "Call follow-up", "call", 0.14, 36, 0.20),
    TaskType("14", "Call reminder", "call", 0.04, 12, 0.10),
    TaskType("15", "Call other", "call", 0.03, 48, 0.25),
    TaskType("16", "WhatsApp message", "whatsapp", 0.08, 8, 0.10),
    TaskType("17", "WhatsApp voice message", "whatsapp", 0.02, 16, 0.22),
    TaskType("18", "WhatsApp voice call", "whatsapp", 0.02, 24, 0.35),
)
TYPES_BY_CODE = {t.code: t for t in TASK_TYPES}
TYPE_CUM_WEIGHTS = tuple(accumulate(t.weight for t in TASK_TYPES))
CATEGORIES = ("linkedin", "call", "whatsapp", "custom")
PRIORITIES = ("1", "2", "3", "4")
PROSPECT_OUTCOMES = ("interested", "not_interested", "meeting_booked", "not_now", "no_response")
CALL_OUTCOMES = ("connected", "no_answer", "left_voicemail", "busy", "wrong_number")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Ava Liam Noah Emma Mia Lucas Zoe Ethan Isla Omar Priya Kenji Sofia Mateo Leah "
    "Arjun Nora Felix Hana Diego Grace Tariq Elena Jonas"
)
LAST = _words(
    "Patel Nguyen Garcia Smith Kowalski Okafor Rossi Tanaka Muller Haddad Silva "
    "Johansson Brown Kim Dubois Novak Reyes Fischer Ali Walsh"
)
COMPANIES = _words(
    "northwind brightlane corvid tidewater lumenor quarry fernhill oakstack pinecrest "
    "bluefin redcanyon silverbay ironleaf goldpath"
)
SEQUENCE_NAMES = (
    "Outbound - SaaS CFOs",
    "Inbound demo follow-up",
    "Webinar attendees",
    "Re-engage closed lost",
    "LinkedIn warm-up",
    "Q3 enterprise push",
    "Free trial nurture",
    "Event: SaaStr leads",
    "Partner referrals",
    "Churn save",
    "Founders outreach",
    "Agency cold list",
)


def make_id(seed: int, kind: str, index: int) -> str:
    """A 10-character id like Saleshandy's (`8PvBmrB7P7`), derived from (seed, kind, index)."""
    number = int.from_bytes(
        hashlib.blake2b(f"{seed}:{kind}:{index}".encode(), digest_size=8).digest(), "big"
    )
    out = []
    for _ in range(10):
        number, digit = divmod(number, 62)
        out.append(ALPHABET[digit])
    return "".join(out)


def anchor_day(anchor_date: str | None, today: date) -> date:
    """The day the seed data is spread around: `anchor_date`'s date, else `today`."""
    if anchor_date is None:
        return today
    try:
        return date.fromisoformat(anchor_date.strip()[:10])
    except ValueError:
        raise ValueError(f"anchor_date {anchor_date!r} is not a YYYY-MM-DD date") from None


def day_ms(day: date) -> int:
    """Epoch ms of `day` 00:00 UTC."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


@dataclass
class Assignee:
    id: int
    first_name: str
    last_name: str
    email: str


@dataclass
class Sequence:
    id: str
    name: str


@dataclass
class Prospect:
    id: str
    email: str
    first_name: str
    last_name: str


@dataclass
class Task:
    """One task as the store keeps it; `state` is open | completed | skipped (the list's
    upcoming / dueToday / overdue are an open task's due date against today)."""

    id: str
    type_code: str
    priority: str | None
    state: str
    due_date: str  # YYYY-MM-DD
    note: str | None
    prospect: int
    assignee: int
    sequence: int | None
    step: int | None
    created_ms: int
    updated_ms: int
    completed_ms: int | None = None
    skipped_ms: int | None = None
    prospect_outcome: str | None = None
    call_outcome: str | None = None
    order: int = 0  # creation order, the tie-break of every sort
    visible_from: float = 0.0  # wall time from which the list index shows it


class Dataset:
    """The seed state; tasks are built once and copied into the store."""

    def __init__(
        self, tasks: int, seed: int, anchor: date, history_days: int = 120, old_slips: float = 1.0
    ) -> None:
        self.seed = seed
        self.history_days = history_days
        self.old_slips = old_slips
        self.anchor = anchor
        self.anchor_ms = day_ms(anchor)
        rng = random.Random(seed)
        self.assignees = self._assignees(random.Random(f"{seed}:assignees"), tasks)
        self.sequences = [
            Sequence(make_id(seed, "sequence", i), SEQUENCE_NAMES[i % len(SEQUENCE_NAMES)])
            for i in range(min(len(SEQUENCE_NAMES), max(3, tasks // 100)))
        ]
        self.prospects = self._prospects(random.Random(f"{seed}:prospects"), max(12, tasks // 3))
        # The first assignee (the account owner, whose key the sandbox serves) carries ~45%.
        rest = len(self.assignees) - 1
        tail = [0.8**i for i in range(rest)]
        self.assignee_weights = [0.45] + [0.55 * w / sum(tail) for w in tail]
        self._assignee_indexes = range(len(self.assignees))
        self._assignee_cum = list(accumulate(self.assignee_weights))
        self.tasks = [self._task(rng, i) for i in range(tasks)]

    @staticmethod
    def _assignees(rng: random.Random, tasks: int) -> list[Assignee]:
        out = []
        for i in range(min(12, max(4, 4 + tasks // 2000))):
            first, last = FIRST[(i * 7 + 3) % len(FIRST)], LAST[(i * 5 + 1) % len(LAST)]
            out.append(
                Assignee(
                    4100 + i * 13 + rng.randrange(13),
                    first,
                    last,
                    f"{first}.{last}@sandbox-sales.example".lower(),
                )
            )
        return out

    def _prospects(self, rng: random.Random, n: int) -> list[Prospect]:
        out = []
        for i in range(n):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first}.{last}{i}@{rng.choice(COMPANIES)}.com".lower()
            out.append(Prospect(make_id(self.seed, "prospect", i), email, first, last))
        # The same person entered three times, the email differing only in case.
        head = out[0]
        local, _, domain = head.email.partition("@")
        for k, variant in ((n - 1, local.capitalize() + "@" + domain), (n - 2, head.email.upper())):
            out[k] = Prospect(out[k].id, variant, head.first_name, head.last_name)
        # Someone else whose email holds the first one: a text search for it finds both.
        out[n - 3] = Prospect(out[n - 3].id, head.email + ".au", out[n - 3].first_name, "Ng")
        return out

    def _task(self, rng: random.Random, i: int) -> Task:
        ttype = rng.choices(TASK_TYPES, cum_weights=TYPE_CUM_WEIGHTS)[0]
        assignee = rng.choices(self._assignee_indexes, cum_weights=self._assignee_cum)[0]
        due = self.anchor + timedelta(days=rng.randint(-self.history_days, 21))
        if due.weekday() >= 5 and rng.random() < 0.9:  # few tasks fall due on weekends
            due += timedelta(days=-1 if due.weekday() == 5 else 1)
        due_ms = day_ms(due)
        created = due_ms - rng.randint(1, 10) * DAY_MS + rng.randint(8, 18) * HOUR_MS
        created = min(created, self.anchor_ms - rng.randint(1, 48) * HOUR_MS)
        seq = rng.randrange(len(self.sequences)) if rng.random() < 0.7 else None
        task = Task(
            id=make_id(self.seed, "task", i),
            type_code=ttype.code,
            priority=rng.choice((None, "1", "2", "3", "3", "4")),
            state="open",
            due_date=due.isoformat(),
            note=(
                rng.choice(
                    (
                        "Mention the case study",
                        "Ask about budget timing",
                        "Follow up on pricing",
                        "Confirm the decision maker",
                    )
                )
                if rng.random() < 0.4
                else None
            ),
            prospect=rng.randrange(len(self.prospects)),
            assignee=assignee,
            sequence=seq,
            step=rng.randint(1, 6) if seq is not None else None,
            created_ms=created,
            updated_ms=created,
            order=i,
        )
        if due_ms < self.anchor_ms:
            self._work(rng, task, ttype, due_ms)
        return task

    def _work(self, rng: random.Random, task: Task, ttype: TaskType, due_ms: int) -> None:
        """Done or skipped past-due work; what would be done only after today stays overdue."""
        slips = 0.30 if task.assignee == 0 else 0.08  # the busy owner lets more slip
        if due_ms < self.anchor_ms - 30 * DAY_MS:
            slips *= self.old_slips  # old work left open, unless the account cleans it up
        if rng.random() < slips:
            return
        when = due_ms + 9 * HOUR_MS + int(rng.expovariate(1 / ttype.delay_hours) * HOUR_MS)
        weekday = datetime.fromtimestamp(when / 1000, UTC).weekday()
        if weekday >= 5 and rng.random() < 0.85:  # weekend work waits for Monday
            when += (7 - weekday) * DAY_MS
        if when >= self.anchor_ms:
            return
        task.updated_ms = when
        if rng.random() < ttype.skip_rate:
            task.state, task.skipped_ms = "skipped", when
            return
        task.state, task.completed_ms = "completed", when
        if rng.random() < 0.6:
            task.prospect_outcome = rng.choice(PROSPECT_OUTCOMES)
        if ttype.category == "call":
            task.call_outcome = rng.choice(CALL_OUTCOMES)
