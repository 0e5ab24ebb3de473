"""Toy's API facts, written once for the source and the sink.

Toy is not a real vendor: it exists to prove that a vendor is its folders (`docs/add-a-vendor.md`).
Its API, as its own emulator (`sandbox/toy`) answers it:

- auth: the key in `x-api-key`; a wrong or missing one is 401.
- `GET /v1/tasks?page=N&per_page=M` (M at most 50): `{"tasks": [...], "total": T}`, tasks in id
  order; a task is `{id, contact_id, owner_id, type, status, due_at, note}`.
- `GET /v1/tasks?contact_id=C`: every task of that contact (one page).
- `POST /v1/tasks` with `{contact_id, type, due_at, note}`: 201 `{"task": {...}}`.
- `GET /v1/tasks?ids=A,B,...` (at most 50 ids): those tasks (an unknown id is left out).
- `PATCH /v1/tasks/{id}` with some of `{due_at, note, owner_id}`; `POST /v1/tasks/{id}/complete`
  (status `done`), `POST /v1/tasks/{id}/cancel` (status `cancelled`): 200 `{"task": {...}}` on an
  open task; 422 `{"error": "task already done"}` (or `already cancelled`) when it is already in
  that state, 422 for any other closed task, 404 for an unknown id. No skip, no priority.
- types `call`, `email`, `todo`; statuses `open`, `done`, `cancelled`.
"""

from sales_tasks.clients.core.profile import VendorProfile

DEFAULT_BASE_URL = "https://api.toy.invalid"
TASKS = "/v1/tasks"
MAX_PER_PAGE = 50
TASK_TYPES = ("call", "email", "todo")
STATUSES = ("open", "done")  # what a create accepts
READ_IDS_MAX = 50

TOY_PROFILE = VendorProfile(
    name="Toy",
    key_hint="set TOY_API_KEY",
    base_url_example="https://api.toy.invalid",
)
