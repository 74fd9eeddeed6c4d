"""`make run`'s launcher: Ctrl-C stops every service, and a second Ctrl-C during the stop does not cut it short."""

from __future__ import annotations

import subprocess
import sys

from services.launcher.stack import ROOT

# Run in a process of its own: the signals are real, and without the fix they would interrupt the test runner.
SCRIPT = """
import os, signal, time
from services.launcher.__main__ import wait_for_interrupt

class InterruptedStack:
    stopped = False

    @property
    def processes(self):
        raise KeyboardInterrupt  # the first Ctrl-C, while the launcher watches the services

    def stop(self):
        os.kill(os.getpid(), signal.SIGINT)  # a second one, and a SIGTERM, while they shut down
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # the signals are handled here, between bytecodes
        self.stopped = True

stack = InterruptedStack()
print(wait_for_interrupt(stack), stack.stopped)
"""


def test_a_second_interrupt_does_not_cut_the_stop_short() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Stopping", "...", "0", "True"]
