"""What a newcomer copies from the README and the docs works when pasted in order: each vendor's sandbox has a
port of its own, every `<VENDOR>_BASE_URL` points at that vendor's sandbox, and the Airflow steps
create Airflow's database before the first `airflow dags test`.

(The docs' blocks are run by tests/readme on free ports, which cannot see two sandboxes that
would collide on one machine: this reads the ports as written, over every page.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
README = "\n".join(page.read_text() for page in PAGES)  # the README and every docs page


def _sandbox_ports() -> dict[int, set[str]]:
    ports: dict[int, set[str]] = {}
    for vendor, port in re.findall(r"sales-tasks sandbox (\w+) --port (\d+)", README):
        ports.setdefault(int(port), set()).add(vendor)
    return ports


def test_each_port_serves_one_vendor_sandbox() -> None:
    ports = _sandbox_ports()
    assert ports, "the docs start sandboxes"
    assert {p: v for p, v in ports.items() if len(v) > 1} == {}


def test_every_local_base_url_points_at_that_vendors_sandbox() -> None:
    ports = _sandbox_ports()
    found = re.findall(r"(APOLLO|SALESHANDY|REPLY)_BASE_URL=http://127\.0\.0\.1:(\d+)", README)
    assert found
    wrong = [(v, p) for v, p in found if ports.get(int(p)) != {v.lower()}]
    assert wrong == []


def test_airflow_steps_migrate_its_database_before_the_first_dag_run() -> None:
    page = next(p.read_text() for p in PAGES if "airflow db migrate" in p.read_text())
    assert page.find("airflow db migrate") < page.find("airflow dags test")
