"""How doit's worker processes (`doit -n N`) start: forked from multiprocessing's forkserver (Python
3.14's default on Linux), which imports the drawing code once, so no worker imports matplotlib anew."""

import multiprocessing

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
    multiprocessing.set_forkserver_preload(PRELOAD)
