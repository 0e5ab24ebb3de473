"""Root conftest: keeps every test inside temporary folders, and registers shared fixture plugins.

Nothing a test does may land outside its temporary folders: dlt's data dir (pipelines, job locks,
its anonymous id), the home directory (matplotlib, jupyter) and telemetry are pointed into one
temporary folder per test session before anything imports dlt, and that folder is removed at the
end. `tests/infra/test_isolation.py` runs fixtures of the suite and checks that nothing else
changed.
"""

import os
import shutil
import signal
import tempfile

_SESSION_HOME = tempfile.mkdtemp(prefix="apollo-tasks-test-home-")
os.environ["HOME"] = _SESSION_HOME
os.environ["DLT_DATA_DIR"] = os.path.join(_SESSION_HOME, "dlt")
os.environ["MPLCONFIGDIR"] = os.path.join(_SESSION_HOME, "matplotlib")
os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(_SESSION_HOME, "jupyter-runtime")
os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"

# Hypothesis keeps its example database under ./.hypothesis unless told otherwise.
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

set_hypothesis_home_dir(os.path.join(_SESSION_HOME, "hypothesis"))

# The property tests' profile (`quick`, or `deep` with HYPOTHESIS_PROFILE=deep), loaded before any
# test module builds its `settings(...)`: tests/profiles.py.
from tests import profiles  # noqa: E402

profiles.load()

# Ctrl-C reaches the suite and the servers its tests stop with it, however the run was started.
# A job started in the background of a script (`cmd &`, as CI runners and `.ci/test-suite` do)
# inherits SIGINT *ignored*; so would every child process (a sandbox served by the CLI, a docs
# block's server), which would then outlive the SIGINT a test sends it and end only when killed
# (15-30 s later). Python's own handler here gives children the default disposition back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

pytest_plugins = ["tests.fixtures_pg"]


def pytest_unconfigure(config: object) -> None:
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)
