"""The run summary of a push: every input row accounted for, and the calls it took.

Rejected rows are also counted by reason (`rejection_reasons`): the row's own values (quoted
in a reason, like `unknown type 'meeting'`) are left out so that rows failing the same way
count together, and the summary says what to fix first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# A value quoted in a reason ('meeting', "x@y.io") or a row list after "rows"/"row".
_ROW_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|\brows? [\d, ]*\d")


def reason_kind(reason: str) -> str:
    """A rejection reason without the row's own values: `unknown type '…': use one of ...`."""

    def hide(match: re.Match[str]) -> str:
        text = match.group(0)
        return "row(s) …" if text.startswith("row") else "…"

    return _ROW_VALUES.sub(hide, reason).strip() or "no reason given"


@dataclass
class PushSummary:
    """What a push did. rows_in = created + rejected + already_delivered + needs_review
    (+ would_create on a dry run)."""

    rows_in: int = 0
    created: int = 0
    rejected: int = 0
    already_delivered: int = 0
    needs_review: int = 0
    would_create: int = 0
    rejections: list[tuple[int, str | None, str]] = field(default_factory=list)  # row, id, why
    needs_review_rows: list[tuple[str | None, str]] = field(default_factory=list)
    changed_since_delivery: list[str] = field(default_factory=list)
    calls: int = 0
    minimum_calls: int = 0
    planned_calls: list[str] = field(default_factory=list)
    reconciled: dict[str, int] = field(default_factory=dict)  # found / not created / undecided
    # Reconciliation's reads: snapshots taken (one per look at the pool of unknown requests) and
    # the vendor searches they made.
    looks: int = 0
    searches: int = 0
    # Rows refused in an earlier run and unchanged since: rejected again without a call.
    refused_before: int = 0
    utc_assumed: int = 0
    # How the summary says what `utc_assumed` counts (`{n}`: how many); a vendor that reads due
    # dates its own way words it (`TaskVendor.due_assumed_note`).
    due_assumed: str = (
        "{n} row(s) had a date-time without a UTC offset (due_at or a vendor's own time"
        " column): taken as UTC"
    )
    notes: list[str] = field(default_factory=list)  # the vendor's own lines (`summary_notes`)
    other_needs_review: int = 0  # ledger rows needing review whose request_id is not in the input
    dry_run: bool = False
    duration_seconds: float = 0.0

    @property
    def adds_up(self) -> bool:
        accounted = (
            self.created
            + self.rejected
            + self.already_delivered
            + self.needs_review
            + self.would_create
        )
        return accounted == self.rows_in

    @property
    def has_needs_review(self) -> bool:
        return self.needs_review > 0 or self.other_needs_review > 0

    @property
    def rejection_reasons(self) -> list[tuple[str, int]]:
        """(reason without the row's values, rows) for the rejected rows, most frequent first."""
        counts = Counter(reason_kind(why) for _, _, why in self.rejections)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def format(self, *, max_listed: int = 20) -> str:
        """A human-readable summary (several lines)."""
        head = "push (dry run)" if self.dry_run else "push"
        lines = [
            f"{head}: {self.rows_in} row(s) in = {self.created} created"
            + (f" + {self.would_create} to create" if self.dry_run else "")
            + f" + {self.rejected} rejected + {self.already_delivered} already delivered"
            f" + {self.needs_review} need review",
        ]
        if self.dry_run:
            lines.append(f"planned calls: {len(self.planned_calls)} (minimum {self.minimum_calls})")
            lines += [f"  {c}" for c in self.planned_calls[:max_listed]]
            if len(self.planned_calls) > max_listed:
                lines.append(f"  ... {len(self.planned_calls) - max_listed} more")
        else:
            lines.append(
                f"create calls: {self.calls} (minimum for this input: {self.minimum_calls})"
            )
        if self.reconciled:
            parts = ", ".join(f"{v} {k}" for k, v in sorted(self.reconciled.items()))
            lines.append(f"reconciled calls with unknown outcome: {parts}")
        lines += self.notes
        if self.utc_assumed:
            lines.append(self.due_assumed.format(n=self.utc_assumed))
        if self.changed_since_delivery:
            lines.append(
                f"{len(self.changed_since_delivery)} delivered row(s) changed since delivery and"
                f" were not sent again: {', '.join(self.changed_since_delivery[:max_listed])}"
            )
        if self.refused_before:
            lines.append(
                f"{self.refused_before} rejected row(s) were refused in an earlier run and have"
                " not changed: not offered again (fix them, or push with --retry-rejected)"
            )
        if self.rejections:
            lines.append(f"rejected rows by reason ({len(self.rejections)}):")
            lines += [f"  {n} x {why}" for why, n in self.rejection_reasons[:max_listed]]
        for row, request_id, reason in self.rejections[:max_listed]:
            lines.append(f"  rejected row {row} ({request_id or 'no request_id'}): {reason}")
        if len(self.rejections) > max_listed:
            lines.append(f"  ... {len(self.rejections) - max_listed} more rejections")
        for request_id, reason in self.needs_review_rows[:max_listed]:
            lines.append(f"  needs review {request_id}: {reason}")
        if self.other_needs_review:
            lines.append(
                f"{self.other_needs_review} earlier row(s) not in this input still need review"
                " (state needs_review in the delivery ledger)"
            )
        lines.append(f"took {self.duration_seconds:.1f}s")
        return "\n".join(lines)
