"""Mutable task state of the sandbox: the seed dataset plus what happened since.

State = seed tasks (numpy columns, patched in place) + an overlay of tasks created via the API
(appended, `created_from` as configured) + deletions. `reset()` returns to the seed state.

Search orders are computed with numpy (masks, lexsort) and cached per (sort, filters, state
version, visible overlay count); any mutation bumps the version.

Facts relied on (NOTES.md section 1):
- Default search order: undocumented, newest first (`created_at` desc) or oldest first
  (`config.default_order`); `task_due_at` sorts the most future-dated first; `task_priority`
  the highest priority first.
- Search reads an asynchronously updated index: a task created a moment ago may not show yet
  (`index_lag_seconds`).
"""

from __future__ import annotations

import bisect
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sales_tasks.sandbox.apollo.data import Dataset
from sales_tasks.sandbox.apollo.render import NULL, Renderer, TaskRow, json_str
from sales_tasks.sandbox.apollo.util import now_ms

SORTS = ("created", "created_asc", "task_due_at", "task_priority")
# Seed columns a hook may change (tasks; a contact's count of phone numbers), restored by reset.
_MUTABLE = ("t_user", "t_type", "t_status", "t_priority", "t_due", "t_done", "c_phones")
_CACHE_SIZE = 8


@dataclass
class Created:
    """One task created via the API."""

    row: TaskRow
    wall: float
    body: bytes
    alive: bool = True


@dataclass
class Query:
    sort: str = "created"
    user_idx: tuple[int, ...] | None = None
    type_codes: tuple[int, ...] | None = None
    contact_idx: tuple[int, ...] | None = None


class Store:
    """The seed dataset plus overlay, deletions and patches."""

    def __init__(
        self, ds: Dataset, renderer: Renderer, clock: Callable[[], float] = time.time
    ) -> None:
        # The emulator's clock (`sales_tasks.sandbox.core.clock`): the search lag counts on it.
        self.clock = clock
        self.ds = ds
        self.r = renderer
        self._pristine = {name: getattr(ds, name).copy() for name in _MUTABLE}
        self.reset()

    def reset(self) -> None:
        for name, arr in self._pristine.items():
            np.copyto(getattr(self.ds, name), arr)
        self.r.forget_contacts()
        self.alive = np.ones(self.ds.n_tasks, dtype=bool)
        self.overrides: dict[int, dict[str, bytes]] = {}
        self.created: list[Created] = []
        self._walls: list[float] = []
        self.version = 0
        self._cache: OrderedDict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._overlay_cols: tuple[int, dict[str, np.ndarray]] | None = None

    def changed(self) -> None:
        """Seed data changed outside the store (a hook): cached search results are stale."""
        self._bump()

    def _bump(self) -> None:
        self.version += 1
        self._cache.clear()

    # -- lookups ----------------------------------------------------------------------------------
    def find(self, oid: str) -> int | None:
        """Global index of a live task id: seed tasks first, then created ones."""
        i = self.ds.task_index(oid)
        if i is not None:
            return i if self.alive[i] else None
        k = self.ds.ids["api_task"].index(oid, len(self.created))
        if k is not None and self.created[k].row.id == oid and self.created[k].alive:
            return self.ds.n_tasks + k
        return None

    def count(self) -> int:
        return int(self.alive.sum()) + sum(1 for c in self.created if c.alive)

    def render(self, gi: int) -> bytes:
        n = self.ds.n_tasks
        if gi < n:
            return self.r.task(self.r.seed_row(gi, self.overrides.get(gi)))
        return self.created[gi - n].body

    def render_many(self, gis: np.ndarray) -> list[bytes]:
        """Tasks `gis` as byte pieces of a JSON array body (commas included, no brackets): seed
        tasks vectorised, created and patched ones from their rows."""
        n = self.ds.n_tasks
        seed_pos = np.flatnonzero(gis < n)
        tasks: list[tuple[bytes, ...]] = [()] * gis.size
        for pos, (head, tail) in zip(
            seed_pos.tolist(), self.r.seed_tasks(gis[seed_pos]), strict=True
        ):
            tasks[pos] = (head, tail)
        if seed_pos.size != gis.size or self.overrides:
            for pos, gi in enumerate(gis.tolist()):
                if gi >= n or gi in self.overrides:
                    tasks[pos] = (self.render(gi),)
        pieces: list[bytes] = []
        for parts in tasks:
            pieces.extend(parts)
            pieces.append(b",")
        return pieces[:-1]

    # -- mutations --------------------------------------------------------------------------------
    def create(
        self,
        *,
        user: int,
        contact: int,
        type_code: int,
        status_code: int,
        priority_code: int,
        due_ms: int,
        note: str | None,
        title: str | None,
        created_from: str | None = "api",
    ) -> bytes:
        """Create one task (no deduplication, like Apollo) and return its JSON."""
        created_ms = now_ms()
        k = len(self.created)
        user_id = self.ds.user_ids[user]
        row = TaskRow(
            id=self.ds.ids["api_task"].oid(created_ms, k),
            user_id=user_id,
            created_ms=created_ms,
            due_ms=due_ms,
            done_ms=created_ms,
            type_code=type_code,
            status_code=status_code,
            priority_code=priority_code,
            contact=contact,
            note_json=json_str(note),
            title_json=json_str(title),
            answered_json=NULL,
            created_from_json=json_str(created_from),
            creator_json=json_str(user_id),
        )
        body = self.r.task(row)
        wall = self.clock()
        self.created.append(Created(row=row, wall=wall, body=body))
        self._walls.append(wall)
        self._bump()
        return body

    def delete(self, gi: int) -> None:
        n = self.ds.n_tasks
        if gi < n:
            self.alive[gi] = False
        else:
            self.created[gi - n].alive = False
        self._bump()

    def patch(self, gi: int, fields: dict[str, object]) -> None:
        """Apply validated changes: codes for type/status/priority, `user` index, `due_ms`,
        `done_ms`, and raw strings (or None) for `note` and `title`."""
        text = {f"{k}_json": json_str(v) for k, v in fields.items() if k in ("note", "title")}  # type: ignore[arg-type]
        cols = {
            "user": "t_user",
            "type_code": "t_type",
            "status_code": "t_status",
            "priority_code": "t_priority",
            "due_ms": "t_due",
            "done_ms": "t_done",
        }
        n = self.ds.n_tasks
        if gi < n:
            for key, col in cols.items():
                if key in fields:
                    getattr(self.ds, col)[gi] = fields[key]
            if text:
                self.overrides.setdefault(gi, {}).update(text)
        else:
            item = self.created[gi - n]
            changes: dict[str, object] = dict(text)
            for key in ("type_code", "status_code", "priority_code", "due_ms", "done_ms"):
                if key in fields:
                    changes[key] = fields[key]
            if "user" in fields:
                changes["user_id"] = self.ds.user_ids[int(fields["user"])]  # type: ignore[call-overload]
            item.row = item.row._replace(**changes)  # type: ignore[arg-type]
            item.body = self.r.task(item.row)
        self._bump()

    def current_row(self, gi: int) -> TaskRow:
        n = self.ds.n_tasks
        if gi < n:
            return self.r.seed_row(gi, self.overrides.get(gi))
        return self.created[gi - n].row

    # -- search -----------------------------------------------------------------------------------
    def visible_created(self, lag_seconds: float) -> int:
        """How many created tasks the search index has caught up with."""
        if lag_seconds <= 0:
            return len(self.created)
        return bisect.bisect_right(self._walls, self.clock() - lag_seconds)

    def _overlay(self) -> dict[str, np.ndarray]:
        if self._overlay_cols is None or self._overlay_cols[0] != self.version:
            rows = [c.row for c in self.created]
            user_index = self.ds.user_index
            cols: dict[str, np.ndarray] = {
                "t_user": np.array([user_index[r.user_id] for r in rows], dtype=np.int16),
                "t_type": np.array([r.type_code for r in rows], dtype=np.int8),
                "t_status": np.array([r.status_code for r in rows], dtype=np.int8),
                "t_priority": np.array([r.priority_code for r in rows], dtype=np.int8),
                "t_due": np.array([r.due_ms for r in rows], dtype=np.int64),
                "t_created": np.array([r.created_ms for r in rows], dtype=np.int64),
                "t_contact": np.array([r.contact for r in rows], dtype=np.int32),
                "alive": np.array([c.alive for c in self.created], dtype=bool),
            }
            self._overlay_cols = (self.version, cols)
        return self._overlay_cols[1]

    def overdue(self, gis: np.ndarray) -> int:
        """How many of tasks `gis` are scheduled and due before now (the `overdue_tasks` facet)."""
        status, due = self.ds.t_status, self.ds.t_due
        if self.created:
            overlay = self._overlay()
            status = np.concatenate([status, overlay["t_status"]])
            due = np.concatenate([due, overlay["t_due"]])
        return int(((status[gis] == 0) & (due[gis] < now_ms())).sum())

    def search(self, q: Query, visible: int) -> tuple[np.ndarray, np.ndarray]:
        """(global task indexes in display order, per-type counts) for `q`."""
        key = (q.sort, q.user_idx, q.type_codes, q.contact_idx, self.version, visible)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        ds = self.ds

        def col(name: str) -> np.ndarray:
            base = getattr(ds, name) if name != "alive" else self.alive
            if not visible:
                return base
            return np.concatenate([base, self._overlay()[name][:visible]])

        mask = col("alive").copy()
        if q.user_idx is not None:
            mask &= np.isin(col("t_user"), q.user_idx)
        if q.type_codes is not None:
            mask &= np.isin(col("t_type"), q.type_codes)
        if q.contact_idx is not None:
            mask &= np.isin(col("t_contact"), q.contact_idx)
        cand = np.flatnonzero(mask)
        created = col("t_created")[cand]
        # Ties broken by creation order (newest first), which is id order within a kind.
        if q.sort == "task_due_at":
            order = np.lexsort((cand, created, col("t_due")[cand]))[::-1]
        elif q.sort == "created_asc":
            order = np.lexsort((cand, created))
        elif q.sort == "task_priority":
            order = np.lexsort((-cand, -created, col("t_priority")[cand]))
        else:
            order = np.lexsort((cand, created))[::-1]
        result = (cand[order], np.bincount(col("t_type")[cand], minlength=7))
        self._cache[key] = result
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result
