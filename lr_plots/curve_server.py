"""One torch process per build: doit's worker processes (`doit -n N`), or doit's own (`doit`), hand
it their curve tasks, so torch is imported once per build however many workers there are, never by a
build that only draws, and while the drawing code is imported elsewhere. In a parallel build it
starts as the build starts when doit finds curves out of date (tasks.TorchProcessWanted), else when the
first process needs it."""

import contextlib
import io
import json
import multiprocessing
import multiprocessing.util
import os
import selectors
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# What the torch process runs: it takes its starter's sys.path, so it imports the same lr_plots. It
# ends with os._exit, as multiprocessing's workers do: tearing torch down takes half a second, and
# every reply has been written and flushed by then.
BOOTSTRAP = (
    "import json, os, sys; settings = json.loads(sys.argv[1]); sys.path[:] = settings['sys_path']; "
    "from lr_plots.curve_server import serve; serve(settings['listening_fd']); os._exit(0)"
)
SOCKET_PREFIX = "curves-"
# Set in doit's process when its curves are out of date (tasks.TorchProcessWanted): a parallel build's
# forkserver then starts the torch process before it imports anything else (forkserver_preload).
WANTED = "LR_PLOTS_TORCH_PROCESS_WANTED"


@dataclass
class Reply:
    """What the torch process did with one curve: its failure message or None, what the spec printed."""

    failure: str | None
    stdout: str
    stderr: str


def should_hand_over() -> bool:
    """True in a process of a build that has not imported torch: doit's own (`doit`) or one of its
    workers (`doit -n N`). Workers forked from a process holding torch (those of `doit watch -n N`)
    compute their curves themselves, as do the threads of `doit -P thread` (this module keeps one
    connection per process)."""
    return "torch" not in sys.modules and threading.current_thread() is threading.main_thread()


def request_curve(
    spec_path: str,
    csv_path: str,
    metadata_path: str,
    timeout_seconds: float,
    while_waiting: Callable[[], object],
) -> Reply | None:
    """Have the build's torch process write the curve of `spec_path`, starting that process if this
    build has not yet, and run `while_waiting` meanwhile; None if it cannot be reached (the caller
    then computes the curve itself)."""
    global _connection
    if _connection is None:
        _connection = connect_or_start()
        if _connection is None:
            return None
    request = {
        "cwd": os.getcwd(),
        "spec": spec_path,
        "csv": csv_path,
        "metadata": metadata_path,
        "timeout": timeout_seconds,
    }
    try:
        _connection.sendall(json.dumps(request).encode() + b"\n")
        while_waiting()
        line = _connection.makefile("rb").readline()
    except OSError:
        line = b""
    if not line:  # the torch process is gone (killed?): outputs are written atomically, so redo here
        _connection.close()
        _connection = None
        return None
    return Reply(**json.loads(line))


def start_for_build(doit_pid: int) -> None:
    """In the forkserver of the parallel build of doit's process `doit_pid`: start the build's torch
    process where the workers will look for it. It ends once the forkserver and the workers forked
    from it have ended (they all hold its standard input) and no worker is connected."""
    folder = private_folder()
    if folder is None:
        return
    listener = listen_at(str(folder / f"{SOCKET_PREFIX}{doit_pid}"))
    if listener is not None:  # else a stale socket of that name: the first worker will start it
        remove_stale_sockets(folder)
        start_server(listener)
        listener.close()


# This process's connection to its build's torch process, made at its first curve task.
_connection: socket.socket | None = None


def connect_or_start() -> socket.socket | None:
    """A connection to the torch process of this build (one per doit process, whose pid names its
    socket), started by the first process that needs it; None if no private socket folder is at hand."""
    folder = private_folder()
    if folder is None:
        return None
    parent = multiprocessing.parent_process()  # doit's process, seen from one of its workers
    doit_pid = os.getpid() if parent is None else parent.pid
    address = str(folder / f"{SOCKET_PREFIX}{doit_pid}")
    for attempt in range(5):
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(address)
            return client
        except FileNotFoundError:
            client.close()
        except ConnectionRefusedError:  # being set up by another process this instant, or stale
            client.close()
            if attempt == 0:
                time.sleep(0.05)
                continue
            Path(address).unlink(missing_ok=True)
        listener = listen_at(address)
        if listener is None:  # another process bound it first: connect to it on the next round
            continue
        remove_stale_sockets(folder)
        server = start_server(listener)
        listener.close()  # the torch process holds it now; connections queue until it accepts them
        # Run as this process ends (multiprocessing runs its finalizers then, in a worker, where
        # atexit does not run, and at exit in doit's): it waits for the torch process, so the build
        # does not finish while it runs and its CPU time is counted as the build's.
        multiprocessing.util.Finalize(None, stop_server, args=(server,), exitpriority=0)
    return None


def listen_at(address: str) -> socket.socket | None:
    """A Unix socket listening at `address`, or None if that name is taken."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(address)
        listener.listen()
    except OSError:
        listener.close()
        return None
    return listener


def private_folder() -> Path | None:
    """<tmp>/lr_plots-<uid>, made readable by this user only, where the sockets live; None if it
    cannot be made or belongs to someone else."""
    folder = Path(tempfile.gettempdir()) / f"lr_plots-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def remove_stale_sockets(folder: Path) -> None:
    """Remove the sockets left by killed builds: those whose doit process no longer exists."""
    for path in folder.glob(f"{SOCKET_PREFIX}*"):
        try:
            os.kill(int(path.name[len(SOCKET_PREFIX) :]), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except (ValueError, OSError):
            pass


def start_server(listener: socket.socket) -> subprocess.Popen[bytes]:
    """Start the torch process on `listener`; it runs until its standard input closes (serve)."""
    settings = {"sys_path": sys.path, "listening_fd": listener.fileno()}
    return subprocess.Popen(
        [sys.executable, "-c", BOOTSTRAP, json.dumps(settings)],
        pass_fds=[listener.fileno()],
        stdin=subprocess.PIPE,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Tell the torch process that the process which started it (a worker, or doit's own) is ending
    (it ends once no other process is connected either) and wait for it."""
    global _connection
    if _connection is not None:
        _connection.close()
        _connection = None
    if server.stdin is not None:
        server.stdin.close()
    server.wait()


def serve(listening_fd: int) -> None:
    """The torch process: write the curves the build asks for, one at a time, until whoever started
    it has ended (its standard input closes) and no process is connected."""
    from lr_plots.curves import load_optimizer_machinery

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once, with the build
    load_optimizer_machinery()  # torch with torch._dynamo, before the first curve is asked for
    listener = socket.socket(fileno=listening_fd)
    address = listener.getsockname()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin.buffer, selectors.EVENT_READ)
    starter_running, clients = True, 0
    try:
        while starter_running or clients:
            for key, _ in selector.select():
                if key.fileobj is listener:
                    client, _ = listener.accept()
                    selector.register(client, selectors.EVENT_READ, (client, client.makefile("rwb")))
                    clients += 1
                elif key.fileobj is sys.stdin.buffer:
                    if not os.read(sys.stdin.fileno(), 1):
                        selector.unregister(sys.stdin.buffer)
                        starter_running = False
                else:
                    connection, stream = key.data
                    line = stream.readline()
                    if not line:
                        selector.unregister(connection)
                        stream.close()
                        connection.close()
                        clients -= 1
                        continue
                    stream.write(json.dumps(answer(json.loads(line)).__dict__).encode() + b"\n")
                    stream.flush()
    finally:
        Path(address).unlink(missing_ok=True)


def answer(request: dict[str, str]) -> Reply:
    """Write one curve as asked, capturing what the spec prints."""
    from lr_plots.actions import write_curve_here

    if os.getcwd() != request["cwd"]:
        os.chdir(request["cwd"])
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        failure = write_curve_here(
            request["spec"], request["csv"], request["metadata"], float(request["timeout"])
        )
    return Reply(None if failure is None else failure.message, stdout.getvalue(), stderr.getvalue())
