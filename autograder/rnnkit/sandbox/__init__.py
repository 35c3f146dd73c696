"""Run untrusted student code in an isolated child process and talk to it over a narrow channel.

See box.py for the Sandbox, channel.py for what may cross the boundary and isolation.py for
how the child is confined.
"""

from rnnkit.sandbox.box import CellReport, Handle, IsolationUnavailable, Sandbox, start_ahead
from rnnkit.sandbox.channel import StudentError
from rnnkit.sandbox.isolation import Isolation, Limits, detect_isolation

__all__ = [
    "CellReport", "Handle", "Isolation", "IsolationUnavailable", "Limits", "Sandbox",
    "StudentError", "detect_isolation", "start_ahead",
]
