"""Toy's API facts, written once for the source and the sink.

Toy is not a real vendor: it exists to prove that a vendor is its folders (`docs/add-a-vendor.md`).
Its API, as its own emulator (`sandbox/toy`) answers it:

- auth: the key in `x-api-key`; a wrong or missing one is 401.
- `GET /v1/tasks?page=N&per_page=M` (M at most 50): `{"tasks": [...], "total": T}`, tasks in id
  order; a task is `{id, contact_id, owner_id, type, status, due_at, note}`.
- `GET /v1/tasks?contact_id=C`: every task of that contact (one page).
- `POST /v1/tasks` with `{contact_id, type, due_at, note}`: 201 `{"task": {...}}`.
- types `call`, `email`, `todo`; statuses `open`, `done`.
"""

from sales_tasks.clients.core.profile import VendorProfile

DEFAULT_BASE_URL = "https://api.toy.invalid"
TASKS = "/v1/tasks"
MAX_PER_PAGE = 50
TASK_TYPES = ("call", "email", "todo")
STATUSES = ("open", "done")

TOY_PROFILE = VendorProfile(
    name="Toy",
    key_hint="set TOY_API_KEY",
    base_url_example="https://api.toy.invalid",
)
