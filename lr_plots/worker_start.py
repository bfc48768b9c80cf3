"""How doit's worker processes (`doit -n N`) start: forked from multiprocessing's forkserver (Python
3.14's default on Linux), which imports the drawing code once, so no worker imports matplotlib anew."""

import multiprocessing
import multiprocessing.util
import os
import signal
import sys

# Imported once by the forkserver; never torch, which only the build's torch process imports
# (lr_plots.curve_server), and only when a curve is to be computed.
PRELOAD = ["lr_plots.forkserver_preload"]


def start_workers_warm() -> None:
    """Make doit's workers fork from a forkserver that has imported PRELOAD, unless this program
    has chosen a start method itself (doit watch keeps `fork`: its workers inherit its warm torch)."""
    if (
        multiprocessing.get_start_method(allow_none=True) is None
        and "forkserver" in multiprocessing.get_all_start_methods()
    ):
        multiprocessing.set_start_method("forkserver")
        multiprocessing.util.Finalize(None, kill_lost_workers, exitpriority=10)
    multiprocessing.set_forkserver_preload(PRELOAD)


def kill_lost_workers() -> None:
    """As doit's process ends, before it waits for its torch process: kill the workers still
    running, which doit has lost track of. A Ctrl-C while doit starts its workers leaves it without
    the worker it was starting, which the forkserver (it ignores SIGINT) still forks; that worker
    would wait for its next task, and the torch process it is connected to for it, for ever. After
    a build that ended well or failed, doit has waited for every worker, and none is left."""
    # Not imported here: loading the tasks would pay for it in every build, workers or none.
    started = sys.modules.get("multiprocessing.forkserver")  # imported as the forkserver starts
    forkserver = getattr(getattr(started, "_forkserver", None), "_forkserver_pid", None)
    if forkserver is None:
        return
    try:
        with open(f"/proc/{forkserver}/task/{forkserver}/children") as children:
            workers = [int(pid) for pid in children.read().split()]
    except OSError:  # the forkserver has ended, or this is not Linux
        return
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
