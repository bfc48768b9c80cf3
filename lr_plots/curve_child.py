"""Compute one curve in a short-lived child forked from a warm process that has torch loaded: whatever
the spec does (crash, exit, hang, print, fork, change global state) ends with that child, and the
process that forked it learns how it ended."""

import json
import os
import select
import signal
import sys
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NoReturn

from lr_plots.atomic_file import OutputError
from lr_plots.error_messages import failure_message, where_in

# How much of a spec's standard output (and of its error) is passed on; the rest is only counted.
OUTPUT_LIMIT = 64 * 1024
# While a child runs, how often the parent looks whether it has ended without saying so (a process
# the spec forked may keep the pipes open).
POLL_SECONDS = 0.05
# Linux's prctl options: a child killed with its parent, and orphans adopted by their grandparent.
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# A process that forks a child per curve must have one thread only; numpy's OpenBLAS (which torch
# imports) would start a second one.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True)
class CurveRequest:
    """One curve to write: the spec, its two outputs, its time limit, and the folder those are in;
    for the warm torch process, how long it is to stay after this build, and the build's sys.path
    and environment, which the child takes on (the warm process was started by another build)."""

    spec: str
    csv: str
    metadata: str
    timeout: float
    cwd: str
    keep_warm: float = 0.0
    sys_path: list[str] | None = None
    environment: dict[str, str] | None = None


@dataclass
class Reply:
    """What became of one curve: its failure message or None, and what the spec printed; from a
    warm torch process that cannot serve the build, instead, the modules it loaded from other files
    than the build would (warm_torch.modules_found_elsewhere)."""

    failure: str | None
    stdout: str
    stderr: str
    found_elsewhere: list[str] | None = None


class CurveChild:
    """A child forked from this process, writing the curve of `request`; the parent reads its
    pipes (`fds`, each passed to `read` when readable) and asks `outcome` until it has one."""

    def __init__(self, request: CurveRequest, close_in_child: Collection[int] = ()) -> None:
        self.request = request
        self.deadline = time.monotonic() + request.timeout
        stdout, stderr, result = os.pipe(), os.pipe(), os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            run_child(
                request, stdout[1], stderr[1], result[1], [stdout[0], stderr[0], result[0], *close_in_child]
            )
        for _, write_end in (stdout, stderr, result):
            os.close(write_end)
        self.stdout, self.stderr, self.result = stdout[0], stderr[0], result[0]
        self.fds = [self.stdout, self.stderr, self.result]
        self.received = {fd: bytearray() for fd in self.fds}
        self.dropped = dict.fromkeys(self.fds, 0)
        for fd in self.fds:
            os.set_blocking(fd, False)

    def read(self, fd: int) -> bool:
        """Take what the child wrote to its pipe `fd` (closing it at its end): False if there was
        nothing to take."""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return False
        if not data:
            self.fds.remove(fd)
            os.close(fd)
            return False
        received = self.received[fd]
        if fd != self.result and len(received) + len(data) > OUTPUT_LIMIT:
            kept = max(0, OUTPUT_LIMIT - len(received))
            self.dropped[fd] += len(data) - kept
            data = data[:kept]
        received += data
        return True

    def seconds_left(self) -> float:
        return self.deadline - time.monotonic()

    def outcome(self) -> Reply | None:
        """The reply once the child has said how it went, ended, or run out of time; None before.
        With a reply, the child and whatever it started are killed; `close` and `reap` are left to do."""
        ended = None
        if b"\n" not in self.received[self.result]:
            ended = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if ended is None and self.seconds_left() > 0:
                return None
            self.drain()  # what it wrote before it ended
        if b"\n" in self.received[self.result]:
            failure = json.loads(self.received[self.result].split(b"\n", 1)[0])["failure"]
        elif ended is None:
            failure = (
                f"{self.request.spec}: stopped after {self.request.timeout:g} s without finishing (a loop "
                "that never ends?); if it is only slow, give it longer with `doit timeout=SECONDS`."
            )
        else:
            failure = ending_message(self.request.spec, ended.si_code, ended.si_status)
        self.drain()
        self.kill()
        return Reply(failure, self.text(self.stdout), self.text(self.stderr))

    def close(self) -> None:
        """Stop reading the child's pipes."""
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def drain(self) -> None:
        """Read what the child's pipes hold now, without waiting for more (and, from a process it
        started that still writes, only so much)."""
        for fd in list(self.fds):
            for _ in range(64):
                if not self.read(fd):
                    break

    def text(self, fd: int) -> str:
        text = self.received[fd].decode(errors="replace")
        if self.dropped[fd]:
            text += (
                f"\n[lr_plots: {self.dropped[fd]} more bytes of output from {self.request.spec} not shown]\n"
            )
        return text

    def kill(self) -> None:
        """Kill the child's process group (the child, and what it started that stayed in the group),
        and remove the temporary files it may have left half written."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for output in (self.request.csv, self.request.metadata):
            path = Path(self.request.cwd, output)
            path.with_name(f".{path.name}.{self.pid}.tmp").unlink(missing_ok=True)

    def reap(self, wait: bool) -> bool:
        """Collect the ended child's exit status; False if `wait` is False and it is still ending."""
        try:
            pid, _ = os.waitpid(self.pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            return True
        return pid != 0


def compute_in_child(request: CurveRequest) -> Reply:
    """Write the curve of `request` in a child of this process, waiting for it: the process must
    have torch loaded (curves.load_optimizer_machinery) and no other thread running."""
    child = CurveChild(request)
    while (reply := child.outcome()) is None:
        ready, _, _ = select.select(child.fds, [], [], min(POLL_SECONDS, max(0.0, child.seconds_left())))
        for fd in ready:
            child.read(fd)
    child.close()
    child.reap(wait=True)
    return reply


def run_child(request: CurveRequest, stdout: int, stderr: int, result: int, close: list[int]) -> NoReturn:
    """The child: its own process group, killed with its parent, its output into the pipes, then
    the curve; it says how that went on `result` and ends without running any exit handler."""
    child = os.getpid()
    failure: str | None = f"{request.spec}: the process computing its curve could not be set up."
    try:
        os.setpgid(0, 0)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        for fd in close:
            os.close(fd)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        for fd in (nothing, stdout, stderr):
            os.close(fd)
        os.chdir(request.cwd)
        if request.sys_path is not None:
            sys.path[:] = request.sys_path
        if request.environment is not None:
            os.environ.clear()
            os.environ.update(request.environment)
        failure = run_spec(request)
    finally:
        if os.getpid() == child:  # not a process the spec forked, which has no say
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
            for fd in (1, 2):
                try:
                    os.close(fd)
                except OSError:
                    pass
            message = memoryview(json.dumps({"failure": failure}).encode() + b"\n")
            while message:
                message = message[os.write(result, message) :]
        os._exit(0)


def run_spec(request: CurveRequest) -> str | None:
    """Run the spec's scheduler and write its CSV and JSON: None, or what went wrong in one line."""
    from lr_plots.curves import write_curve_files

    try:
        write_curve_files(Path(request.spec), Path(request.csv), Path(request.metadata))
    except BaseException as error:  # KeyboardInterrupt and SystemExit too: the spec's, not the user's
        os.chdir(request.cwd)  # the spec may have moved; the paths are the build folder's
        return spec_failure(request.spec, error)
    return None


def spec_failure(spec: str, error: BaseException) -> str:
    """The one line that says what went wrong with the spec at `spec`."""
    from lr_plots.curves import SpecError

    if isinstance(error, SpecError | OutputError):
        return str(error)
    if isinstance(error, SystemExit):
        status = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
        return (
            f"{where_in(spec, error)}: it exited with status {status} (SystemExit) before its curve "
            "was written."
        )
    return failure_message(spec, error)


def ending_message(spec: str, code: int, status: int) -> str:
    """What ended a child that did not say how its curve went, from waitid's code and status."""
    if code == os.CLD_EXITED:
        return (
            f"{spec}: the process computing its curve exited with status {status} before writing it "
            "(os._exit, or a library ending the process)."
        )
    try:
        name = signal.Signals(status).name
    except ValueError:
        name = "an unknown signal"
    return f"{spec}: the process computing its curve was killed by signal {status} ({name})."


def become_subreaper() -> None:
    """Make this process adopt its descendants orphaned by their parents (Linux), so that
    `kill_orphans` finds what a spec started and left running."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def prctl(option: int, value: int) -> None:
    """Linux's prctl(option, value); nothing elsewhere."""
    if sys.platform == "linux":
        import ctypes  # torch has imported it already, in the process that forks the children

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def kill_orphans(keep: Collection[int]) -> None:
    """Kill and collect every child of this process but `keep`: processes started by specs, whose
    parent ended, adopted by this subreaper."""
    for _ in range(100):  # each round, a killed orphan's own children are adopted in turn
        try:
            listed = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
        except OSError:
            return
        orphans = [int(pid) for pid in listed if int(pid) not in keep]
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def reply_json(reply: Reply) -> bytes:
    """The reply as one line of JSON, as the torch process sends it to the process that asked."""
    return json.dumps(asdict(reply)).encode() + b"\n"
