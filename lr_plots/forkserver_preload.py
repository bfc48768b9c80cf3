"""What multiprocessing's forkserver imports before it forks doit's workers (lr_plots.worker_start):
the tasks and the drawing code, so that no worker imports matplotlib anew; never torch."""

import atexit
import gc
import os

# Imported without the garbage collector, which finds nothing to free in them.
gc.disable()
import lr_plots.drawing  # noqa: E402
import lr_plots.tasks  # noqa: E402, F401

# The workers' collections leave what the forkserver imported alone: visiting it took time in each
# worker, and wrote to the pages the worker shares with the forkserver, which the kernel then copied.
gc.freeze()
os.register_at_fork(after_in_child=gc.enable)

# The forkserver ends just after doit, once its workers have: it has nothing left to do or flush.
# It holds doit's standard output and error (inherited), so whoever reads them (a pipe, a CI log,
# subprocess.run) would otherwise wait for it to tear matplotlib down too.
atexit.register(os._exit, 0)
