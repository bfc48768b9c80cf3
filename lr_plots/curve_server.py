"""One torch process per build: doit's worker processes (`doit -n N`), or doit's own (`doit`), hand
it their curve tasks, so torch is imported once per build however many workers there are, never by a
build that only draws, and while the drawing code is imported elsewhere. doit's process starts it as
the build starts when doit finds curves out of date (tasks.TorchProcessWanted), else the first
process that needs it does. It computes each curve in a child forked from itself (curve_child), so
no spec can crash it, stop it or change what the next spec sees."""

import gc
import json
import multiprocessing
import multiprocessing.util
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from lr_plots.curve_child import (
    POLL_SECONDS,
    SINGLE_THREADED,
    CurveChild,
    CurveRequest,
    Reply,
    become_subreaper,
    kill_orphans,
    reply_json,
)
from lr_plots.private_folder import private_folder
from lr_plots.warm_torch import (
    load_curve_code,
    modules_found_elsewhere,
    start_warm,
    stop_warm_processes,
    warm_address,
)

# What the torch process runs: it takes its starter's sys.path, so it imports the same lr_plots. It
# ends with os._exit, as multiprocessing's workers do: tearing torch down takes half a second, and
# every reply has been written and flushed by then.
BOOTSTRAP = (
    "import json, os, sys; settings = json.loads(sys.argv[1]); sys.path[:] = settings['sys_path']; "
    "from lr_plots.curve_server import serve; serve(settings['listening_fd']); os._exit(0)"
)
SOCKET_PREFIX = "curves-"
# How much longer than a curve's own time limit a process waits for the torch process's reply to
# it before it takes the torch process for lost and computes the curve itself.
REPLY_GRACE_SECONDS = 30


def should_hand_over() -> bool:
    """True in a process of a build that has not imported torch: doit's own (`doit`, and its threads
    with `doit -P thread`) or one of its workers (`doit -n N`). Workers forked from a process
    holding torch (those of `doit watch -n N`) compute their curves themselves."""
    return "torch" not in sys.modules


def request_curve(request: CurveRequest, while_waiting: Callable[[], object]) -> Reply | None:
    """Have the build's torch process (the warm one, with `request.keep_warm`) write the curve of
    `request`, starting that process if this build has not yet, and run `while_waiting` meanwhile;
    None if it cannot be reached (the caller then computes the curve itself)."""
    global _warm_tried
    for attempt in range(len(WARM_BY_PATH) + 1):
        connection: socket.socket | None = getattr(_this_thread, "connection", None)
        if connection is None:
            connection = connect_or_start(request.keep_warm)
            if connection is None:
                return None
            _this_thread.connection = connection
            _connections.append(connection)
        try:
            connection.settimeout(request.timeout + REPLY_GRACE_SECONDS)
            connection.sendall(json.dumps(asdict(request)).encode() + b"\n")
            if attempt == 0:
                while_waiting()
            line = connection.makefile("rb").readline()
        except OSError:
            line = b""
        reply = Reply(**json.loads(line)) if line else None
        if reply is not None and reply.found_elsewhere is None:
            return reply
        connection.close()
        _this_thread.connection = None
        if reply is None:  # the torch process is gone (killed?): outputs are written atomically, so redo here
            return None
        # A warm process that loaded other files than this build would: the next one, for the rest
        # of this process's build.
        _warm_tried += 1
    return None


# The warm processes a build asks in turn, by whether sys.path is in their key: the one shared by
# every project, then the one of this sys.path; when neither fits, the build's own torch process.
WARM_BY_PATH = (False, True)
_warm_tried = 0  # how many of them this process found did not fit its build


def start_for_build(keep_warm: float) -> None:
    """In doit's process, as a build with curves to compute starts: start its torch process, where
    the workers will look for it, unless this process has torch itself (`doit watch`). With
    `keep_warm` seconds, that is the warm torch process, unless one already runs; with none, the
    warm process of this key, if any, stops now."""
    folder = private_folder()
    if folder is None or "torch" in sys.modules:
        return
    address = warm_address()
    if keep_warm > 0 and address is not None:
        connection = connect_or_start_at(address, lambda: start_warm_at(folder, address, keep_warm))
        if connection is not None:
            connection.close()
            return
    elif address is not None and Path(address).exists():
        stop_warm_processes(address)
    start_at(folder, str(folder / f"{SOCKET_PREFIX}{os.getpid()}"))


# This process's connections to its build's torch process, one per thread, made at its first curve.
_this_thread = threading.local()
_connections: list[socket.socket] = []


def connect_or_start(keep_warm: float) -> socket.socket | None:
    """A connection to the torch process of this build: the warm one with `keep_warm` seconds, else
    the build's own (one per doit process, whose pid names its socket), started by the first process
    that needs it; None if no private socket folder is at hand."""
    folder = private_folder()
    if folder is None:
        return None
    if keep_warm > 0 and _warm_tried < len(WARM_BY_PATH):
        by_path = WARM_BY_PATH[_warm_tried]
        warm = warm_address(by_path)
        if warm is not None:
            connection = connect_or_start_at(warm, lambda: start_warm_at(folder, warm, keep_warm, by_path))
            if connection is not None:
                return connection
    parent = multiprocessing.parent_process()  # doit's process, seen from one of its workers
    doit_pid = os.getpid() if parent is None else parent.pid
    address = str(folder / f"{SOCKET_PREFIX}{doit_pid}")
    return connect_or_start_at(address, lambda: start_at(folder, address))


def connect_or_start_at(address: str, start: Callable[[], bool]) -> socket.socket | None:
    """A connection to the torch process at `address`, which `start` starts if none listens there."""
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
        except OSError:  # a path too long for a socket, say: the caller does without
            client.close()
            return None
        start()  # if another process bound it first, connect to it on the next round
    return None


def start_warm_at(folder: Path, address: str, keep_warm: float, by_path: bool = False) -> bool:
    """Start a warm torch process listening at `address`; False if another process has taken it."""
    listener = listen_at(address)
    if listener is None:
        return False
    remove_stale_sockets(folder)
    start_warm(listener, keep_warm, by_path)
    listener.close()
    return True


def start_at(folder: Path, address: str) -> bool:
    """Start a torch process listening at `address`, waited for as this process ends; False if
    another process has taken that name."""
    listener = listen_at(address)
    if listener is None:
        return False
    remove_stale_sockets(folder)
    server = start_server(listener)
    listener.close()  # the torch process holds it now; connections queue until it accepts them
    # Run as this process ends (multiprocessing runs its finalizers then, in a worker, where
    # atexit does not run, and at exit in doit's): it waits for the torch process, so the build
    # does not finish while it runs and its CPU time is counted as the build's.
    multiprocessing.util.Finalize(None, stop_server, args=(server,), exitpriority=0)
    return True


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
        env={**os.environ, **SINGLE_THREADED},
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Tell the torch process that the process which started it (a worker, or doit's own) is ending
    (it ends once no other process is connected either) and wait for it."""
    for connection in _connections:
        connection.close()
    _connections.clear()
    _this_thread.connection = None
    if server.stdin is not None:
        server.stdin.close()
    server.wait()


class Stopped(BaseException):
    """Raised in the torch process by SIGINT or SIGTERM: it kills the curves it is computing, and ends."""


def stop(signum: int, frame: object) -> None:
    raise Stopped


def serve(listening_fd: int, idle_seconds: float | None = None, key: str = "", by_path: bool = False) -> None:
    """The torch process: write the curves the build asks for, each in a child of its own, until
    whoever started it has ended (its standard input closes) and no process is connected; the warm
    one (`idle_seconds` given), until no build has asked for anything for that long, serving each
    build whose sys.path finds the modules it has loaded where it found them (with a key `by_path`,
    ending when a build of that sys.path no longer does: a module was added to a project folder)."""
    from lr_plots.curves import load_optimizer_machinery

    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C ends it at once, with the build
        signal.signal(signum, stop)
    become_subreaper()
    load_optimizer_machinery()  # torch with torch._dynamo, before the first curve is asked for
    # The children's collections leave what torch made alone: visiting it would copy the pages they
    # share with this process.
    if idle_seconds is not None:
        load_curve_code()
    gc.collect()
    gc.freeze()
    server = CurveServer(socket.socket(fileno=listening_fd), idle_seconds, key, by_path)
    try:
        server.run()
    except Stopped:
        pass
    finally:
        server.close()


class CurveServer:
    """The torch process's loop: requests from the connected processes, one child per curve, the
    children running side by side, and the reply to each request once its child has one."""

    def __init__(
        self, listener: socket.socket, idle_seconds: float | None = None, key: str = "", by_path: bool = False
    ) -> None:
        self.listener = listener
        self.address = listener.getsockname()
        self.idle_seconds = idle_seconds
        self.key = key
        self.by_path = by_path
        self.starter_running = idle_seconds is None  # the warm process has no starter to wait for
        self.stopping = False
        self.last_active = time.monotonic()
        self.started = time.time()
        self.curves = 0
        self.clients: dict[socket.socket, BinaryIO] = {}
        self.fitting: set[socket.socket] = set()  # the clients whose sys.path finds what this process loaded
        self.running: dict[CurveChild, socket.socket] = {}
        self.ending: list[CurveChild] = []

    def idle_left(self) -> float | None:
        """Seconds until the warm process ends for want of a build; None while a build is connected,
        and for a build's own torch process."""
        if self.idle_seconds is None or self.clients or self.running:
            return None
        return self.last_active + self.idle_seconds - time.monotonic()

    def wanted(self) -> bool:
        if self.stopping:
            return False
        idle_left = self.idle_left()
        return bool(self.starter_running or self.clients or self.running or (idle_left and idle_left > 0))

    def run(self) -> None:
        while self.wanted():
            children = {fd: child for child in self.running for fd in child.fds}
            waiting: list[Any] = [self.listener, *self.clients, *children]
            if self.starter_running:
                waiting.append(sys.stdin.fileno())
            idle_left = self.idle_left()
            timeout = None if idle_left is None else max(0.0, idle_left)
            if self.running:
                timeout = max(0.0, min(POLL_SECONDS, *(child.seconds_left() for child in self.running)))
            ready, _, _ = select.select(waiting, [], [], timeout)
            self.last_active = time.monotonic() if ready else self.last_active
            for item in ready:
                if item is self.listener:
                    client, _ = self.listener.accept()
                    self.clients[client] = client.makefile("rwb")
                elif isinstance(item, socket.socket):
                    self.take_request(item)
                elif item in children:
                    children[item].read(item)
                elif not os.read(item, 1):  # the starter has ended: its end of our stdin closed
                    self.starter_running = False
            for child in list(self.running):
                reply = child.outcome()
                if reply is not None:
                    self.finish(child)
                    stream = self.clients.get(self.running.pop(child))
                    if stream is not None:
                        stream.write(reply_json(reply))
                        stream.flush()
            self.ending = [child for child in self.ending if not child.reap(wait=False)]
            kill_orphans(keep={child.pid for child in (*self.running, *self.ending)})

    def take_request(self, client: socket.socket) -> None:
        """Start the curve that `client` asks for, or forget a client that has gone."""
        stream = self.clients[client]
        line = stream.readline()
        if not line:
            del self.clients[client]
            self.fitting.discard(client)
            stream.close()
            client.close()
            for child, asked_by in list(self.running.items()):
                if asked_by is client:  # whoever asked for it is gone
                    del self.running[child]
                    child.kill()
                    self.finish(child)
            return
        message = json.loads(line)
        if "command" in message:
            self.answer(stream, message["command"])
            return
        request = CurveRequest(**message)
        if self.idle_seconds is not None and request.sys_path is not None and client not in self.fitting:
            elsewhere = modules_found_elsewhere(request.sys_path, request.cwd)
            if elsewhere:
                stream.write(reply_json(Reply(None, "", "", found_elsewhere=elsewhere)))
                stream.flush()
                self.stopping = self.stopping or self.by_path
                return
            self.fitting.add(client)
        if self.idle_seconds is not None:
            self.idle_seconds = request.keep_warm  # the latest build's setting holds
        # The child has no use for the sockets: a process it leaves behind must not hold them open.
        sockets = [self.listener.fileno(), *(connection.fileno() for connection in self.clients)]
        self.running[CurveChild(request, close_in_child=sockets)] = client
        self.curves += 1

    def answer(self, stream: BinaryIO, command: str) -> None:
        """`status`: what this process is; `stop`: the same, and it ends (the curves it is computing
        are killed; their builds compute them themselves)."""
        self.stopping = self.stopping or command == "stop"
        status = {
            "pid": os.getpid(),
            "key": self.key,
            "address": self.address,
            "started": self.started,
            "curves": self.curves,
            "idle_seconds": self.idle_seconds,
            "python": sys.executable,
            "stopping": self.stopping,
        }
        stream.write(json.dumps(status).encode() + b"\n")
        stream.flush()

    def finish(self, child: CurveChild) -> None:
        child.close()
        self.ending.append(child)

    def close(self) -> None:
        """Kill the curves still being computed, collect every child, remove the socket."""
        for child in self.running:
            child.kill()
            self.finish(child)
        for child in self.ending:
            child.reap(wait=True)
        kill_orphans(keep=())
        Path(self.address).unlink(missing_ok=True)
        if self.idle_seconds is not None:
            Path(f"{self.address}.log").unlink(missing_ok=True)
