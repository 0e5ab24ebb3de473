"""`.dlt/example.secrets.toml` has a section for every vendor's extract and push, in dlt's form,
and every key in it is a setting that the section's config class reads."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.destinations.apollo.settings import ApolloPushConfiguration
from sales_tasks.destinations.reply.settings import ReplyPushConfiguration
from sales_tasks.destinations.saleshandy.settings import SaleshandyPushConfiguration
from sales_tasks.sources.apollo.settings import ApolloSourceConfiguration
from sales_tasks.sources.reply.settings import ReplySourceConfiguration
from sales_tasks.sources.saleshandy.settings import SaleshandySourceConfiguration

EXAMPLE = Path(__file__).parents[2] / ".dlt" / "example.secrets.toml"

SECTIONS: list[tuple[tuple[str, str], Any]] = [
    (("sources", "apollo"), ApolloSourceConfiguration),
    (("sources", "saleshandy"), SaleshandySourceConfiguration),
    (("sources", "reply"), ReplySourceConfiguration),
    (("destination", "apollo_tasks"), ApolloPushConfiguration),
    (("destination", "saleshandy_tasks"), SaleshandyPushConfiguration),
    (("destination", "reply_tasks"), ReplyPushConfiguration),
]


def _uncommented() -> str:
    # The commented-out keys are settings too: check them as if a user had uncommented them.
    lines = EXAMPLE.read_text().splitlines()
    return "\n".join(
        line[2:]
        if line.startswith("# [") or (line.startswith("# ") and " = " in line and '"' in line)
        else line
        for line in lines
    )


@pytest.mark.parametrize(("section", "spec"), SECTIONS, ids=[".".join(s) for s, _ in SECTIONS])
def test_every_vendor_section_is_there_with_keys_its_config_reads(
    section: tuple[str, str], spec: Any
) -> None:
    example = tomllib.loads(_uncommented())
    keys = example[section[0]][section[1]]
    assert "api_key" in keys
    fields = set(spec.__dataclass_fields__)
    assert set(keys) <= fields, set(keys) - fields
