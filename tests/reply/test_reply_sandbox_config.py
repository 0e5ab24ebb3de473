"""The Reply sandbox's config: every bad value is refused in one line naming the field, and the
command-line flags and `--config-json` build the same config the runner starts."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from sales_tasks.sandbox.reply import ReplyConfig
from sales_tasks.sandbox.reply.cli_args import add_sandbox_arguments, config_from_args


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"auth_scheme": "cookie"}, "auth_scheme must be one of bearer, x-api-key, both"),
        ({"enum_answers": "both"}, "enum_answers must be one of numbers, strings"),
        ({"list_mode": "scan"}, "list_mode must be one of get, filter, both"),
        ({"page_cap": 0}, "page_cap and default_top must be >= 1"),
        ({"create_status": 202}, "create_status must be 200 or 201"),
        ({"window_scale": 0}, "window_scale > 0"),
        ({"rate_limits": {"day": 5}}, "need exactly minute and hour"),
        ({"rate_limits": {"minute": 0}}, "rate limits must be >= 1"),
        ({"api_keys": []}, "api_keys must hold at least one key"),
        ({"contacts": 1}, "contacts must be >= 2"),
        ({"faults": {"drop_rate": 2}}, "faults.drop_rate must be between 0 and 1"),
        ({"colour": "red"}, "unknown config field(s): colour"),
    ],
)
def test_a_bad_config_is_refused_naming_the_field(changes: dict[str, Any], says: str) -> None:
    with pytest.raises(ValueError, match=r".*") as caught:
        ReplyConfig().merged(changes)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def parse(argv: list[str]) -> ReplyConfig:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    return config_from_args(parser.parse_args(argv))


def test_flags_and_config_json_make_the_config() -> None:
    assert parse([]) == ReplyConfig()
    cfg = parse(
        [
            "--tasks", "40", "--auth-scheme", "both", "--enum-answers", "strings",
            "--rate-minute", "7", "--minute-seconds", "2", "--window-scale", "0.5",
            "--stale-has-more", "--drop-after-create-rate", "0.25",
            "--config-json", '{"seed": 99, "page_cap": 200, "rate_limits": {"hour": 70}}',
        ]
    )  # fmt: skip
    assert (cfg.tasks, cfg.seed, cfg.page_cap, cfg.auth_scheme) == (40, 99, 200, "both")
    assert cfg.rate_limits == {"minute": 7, "hour": 70}
    assert cfg.window_lengths() == {"minute": 1.0, "hour": 1800.0}
    assert cfg.stale_has_more is True and cfg.faults.drop_after_create_rate == 0.25
    assert cfg.faults.fault_paths == ["/v3/"]
    assert ReplyConfig.from_dict(cfg.to_dict()) == cfg
