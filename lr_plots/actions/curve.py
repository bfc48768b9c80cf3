"""The action of curve:<Name>: the spec's curve, computed in a child of the build's one torch process
(lr_plots.curve_server), where nothing the spec does can harm the build."""

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from doit.exceptions import TaskFailed

if TYPE_CHECKING:
    from lr_plots.curve_child import CurveRequest, Reply


def write_curve(
    spec_path: str,
    csv_path: str,
    metadata_path: str,
    timeout_seconds: float,
    keep_warm: float,
    while_waiting: Callable[[], object],
) -> TaskFailed | None:
    """Run the spec's scheduler and write its CSV and metadata JSON; run `while_waiting` (what the
    tasks after it will need) while the torch process computes it, or first imports torch. With
    `keep_warm` seconds, the warm torch process computes it, in this process's folder, sys.path
    and environment."""
    from lr_plots.curve_child import CurveRequest
    from lr_plots.curve_server import request_curve, should_hand_over

    request = CurveRequest(spec_path, csv_path, metadata_path, timeout_seconds, os.getcwd())
    if keep_warm > 0:
        request = replace(request, keep_warm=keep_warm, sys_path=sys.path, environment=dict(os.environ))
    reply = request_curve(request, while_waiting) if should_hand_over() else None
    if reply is None:
        reply = compute_here(replace(request, sys_path=None, environment=None))
    sys.stdout.write(reply.stdout)
    sys.stderr.write(reply.stderr)
    return None if reply.failure is None else TaskFailed(reply.failure)


def compute_here(request: "CurveRequest") -> "Reply":
    """The curve computed by this process, which imports torch if it has not: in a child forked
    from it, or in one of several threads (`doit -P thread` with no torch process at hand), which
    must not fork, in the thread itself, with no time limit."""
    from lr_plots.curve_child import Reply, compute_in_child, run_spec
    from lr_plots.curves import load_optimizer_machinery

    load_optimizer_machinery()
    if threading.active_count() > 1:
        return Reply(run_spec(request), "", "")
    return compute_in_child(request)
