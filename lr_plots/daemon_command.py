"""`doit daemon` (and `lr-plots daemon`): the warm torch processes of this user, and `daemon stop`
to end them now (lr_plots.warm_torch keeps them)."""

import sys
import time
from typing import Any

from doit.cmd_base import Command

from lr_plots.warm_torch import stop_warm_processes, warm_processes


def describe(status: dict[str, Any]) -> str:
    """One line about one warm torch process."""
    age = time.time() - status["started"]
    return (
        f"pid {status['pid']}: up {age:.0f} s, {status['curves']} curves computed, waits "
        f"{status['idle_seconds']:g} s for the next build; {status['python']}"
    )


class Daemon(Command):
    """doit command plugin: `doit daemon [status | stop]`."""

    name = "daemon"
    doc_purpose = "list the warm torch processes that serve the next builds, or stop them"
    doc_usage = "[status | stop]"
    doc_description = (
        "A build that computes curves leaves its torch process running for `daemon` seconds (a "
        "setting; 0 turns this off, as does the environment variable CI), so that the next build does "
        "not import torch again. `status` (the default) lists them; `stop` ends every one of this user now."
    )

    def execute(self, opt_values: dict[str, Any], pos_args: list[str]) -> int:
        action = pos_args[0] if pos_args else "status"
        if action not in ("status", "stop") or len(pos_args) > 1:
            print(f"ERROR: daemon {' '.join(pos_args)}: give `status` or `stop`.", file=sys.stderr)
            return 3
        if action == "stop":
            stopped = stop_warm_processes()
            for status in stopped:
                print(f"[daemon] stopped pid {status['pid']}")
            if not stopped:
                print("[daemon] no warm torch process was running")
            return 0
        statuses = warm_processes()
        for status in statuses:
            print(f"[daemon] {describe(status)}")
        if not statuses:
            print("[daemon] no warm torch process is running")
        return 0
