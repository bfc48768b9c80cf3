"""What multiprocessing's forkserver imports before it forks doit's workers (lr_plots.worker_start):
the tasks and the drawing code, so that no worker imports matplotlib anew; never torch. If doit found
curves out of date, it first starts the build's torch process, which imports torch meanwhile."""

import atexit
import os

from lr_plots.curve_server import WANTED, start_for_build

if os.environ.pop(WANTED, None):
    start_for_build(os.getppid())  # the forkserver is a child of doit's process

# Imported after the torch process has started, so that both imports run at once.
import lr_plots.drawing
import lr_plots.tasks  # noqa: F401

# The forkserver ends just after doit, once its workers have: it has nothing left to do or flush.
# It holds doit's standard output and error (inherited), so whoever reads them (a pipe, a CI log,
# subprocess.run) waited for it to tear matplotlib down too, 0.14 s at the end of every build.
atexit.register(os._exit, 0)
