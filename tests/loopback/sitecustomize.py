"""Loaded by every Python child process a test starts (this folder is on their PYTHONPATH).

Installs the loopback guard (tests/loopback/guard.py) before the child's own code runs, so a
`copbot serve` started by a test cannot reach outside either; what it tried is logged where the
parent test reads it.
"""

import importlib.util
import os
import sys

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guard.py")
_spec = importlib.util.spec_from_file_location("copbot_loopback_guard", _path)
if _spec is not None and _spec.loader is not None and os.environ.get("COPBOT_TEST_OUTSIDE_LOG"):
    _guard = importlib.util.module_from_spec(_spec)
    sys.modules["copbot_loopback_guard"] = _guard
    _spec.loader.exec_module(_guard)
    _guard.install()
