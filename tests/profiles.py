"""How hard the property tests look: two `hypothesis` profiles, chosen by `HYPOTHESIS_PROFILE`.

- `quick` (the default; `make test`, `make test-fast`): every property test runs a modest,
  fixed number of examples, the same ones on every run (`derandomize`), so a failure in CI
  reproduces on a laptop and a run takes the same time on any day.
- `deep` (`HYPOTHESIS_PROFILE=deep`, `make test-deep`): random examples, several times as many;
  for drills before a release or after changing a property's subject.

Both have no `deadline` (a loaded machine is not a bug) and do not fail a test whose data is
slow to generate. A test whose examples are expensive (each one an extract or a push over HTTP)
says what each profile runs with `examples(quick, deep)`; a test that names no count runs
`QUICK_DEFAULT` or `DEEP_DEFAULT` examples. The root `conftest.py` loads the profile before any
test module builds its settings (a `settings(...)` object takes the defaults of the profile
loaded when it is made).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = ("quick", "deep")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
QUICK_DEFAULT = 100  # hypothesis's own default: cheap properties keep it
DEEP_DEFAULT = 1_000

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("quick", max_examples=QUICK_DEFAULT, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=DEEP_DEFAULT, derandomize=False, **_COMMON)


def load() -> None:
    """Load the profile `HYPOTHESIS_PROFILE` names (`quick` when unset); an unknown name fails."""
    if PROFILE not in PROFILES:
        raise ValueError(f"HYPOTHESIS_PROFILE={PROFILE!r}: choose one of {', '.join(PROFILES)}")
    settings.load_profile(PROFILE)


def examples(quick: int, deep: int) -> int:
    """The number of examples a property test runs under the active profile."""
    return deep if PROFILE == "deep" else quick
