"""What multiprocessing's forkserver imports before it forks doit's workers (lr_plots.worker_start):
the tasks and the drawing code, so that no worker imports matplotlib anew; never torch. If doit found
curves out of date, it first starts the build's torch process, which imports torch meanwhile."""

import atexit
import gc
import os

from lr_plots.curve_server import WANTED, start_for_build

if os.environ.pop(WANTED, None):
    start_for_build(os.getppid())  # the forkserver is a child of doit's process

# Imported after the torch process has started, so that both imports run at once; without the
# garbage collector, which found nothing to free in them and took 0.02 s looking.
gc.disable()
import lr_plots.drawing  # noqa: E402
import lr_plots.tasks  # noqa: E402, F401

# The workers' collections leave what the forkserver imported alone: visiting it took time in each
# worker, and wrote to the pages the worker shares with the forkserver, which the kernel then copied.
gc.freeze()
os.register_at_fork(after_in_child=gc.enable)

# The forkserver ends just after doit, once its workers have: it has nothing left to do or flush.
# It holds doit's standard output and error (inherited), so whoever reads them (a pipe, a CI log,
# subprocess.run) waited for it to tear matplotlib down too, 0.14 s at the end of every build.
atexit.register(os._exit, 0)
