"""The warm torch process: a build's torch process that stays after the build for the next ones (as
mypy's dmypy or Gradle's daemon do), of every project, until it has waited `daemon` seconds with no
build, is told to stop, or no longer matches what a build would load (its key)."""

import hashlib
import importlib
import importlib.machinery
import json
import os
import socket
import sys
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lr_plots.code_dependencies import files_reached_by, module_name, relative
from lr_plots.curve_child import SINGLE_THREADED
from lr_plots.private_folder import private_folder

PREFIX = "warm-"
# What the warm process runs: the torch process's loop, waiting for builds `idle_seconds` at most.
# It first closes every file its starter let it inherit but its socket (a worker's pipes to
# multiprocessing's resource tracker, say), so that it holds open nothing of the build it outlives.
BOOTSTRAP = (
    "import json, os, sys; settings = json.loads(sys.argv[1]); sys.path[:] = settings['sys_path']; "
    "fd = settings['listening_fd']; os.closerange(3, fd); os.closerange(fd + 1, os.sysconf('SC_OPEN_MAX')); "
    "from lr_plots.curve_server import serve; "
    "serve(settings['listening_fd'], settings['idle_seconds'], settings['key'], settings['by_path']); "
    "os._exit(0)"
)
# The environment variables read as torch, numpy and their libraries load: a warm process that
# loaded them under other values would compute with other settings. PYTHONPATH only adds to sys.path,
# which the warm process checks itself (modules_found_elsewhere).
LOAD_TIME_VARIABLES = ("TORCH", "PYTORCH", "OMP_", "MKL", "OPENBLAS", "KMP_", "CUDA", "LD_", "PYTHON")
CHECKED_VARIABLES = ("PYTHONPATH",)
STARTUP_MODULES = ("sitecustomize", "usercustomize")
COMMAND_SECONDS = 5


@cache
def warm_key(by_path: bool = False) -> str:
    """What a warm torch process must share with this build to serve it: the Python, the installed
    torch and numpy, the load-time environment and the bytes of lr_plots' curve code; `by_path`,
    sys.path too. Which files the build's sys.path would import, the warm process checks itself
    (modules_found_elsewhere), so that the builds of every project share one warm process."""
    code = curve_code()
    described: dict[str, Any] = {
        "python": [sys.executable, sys.version],
        "versions": {name: installed(name) for name in ("torch", "numpy")},
        "environment": sorted(
            (name, value)
            for name, value in os.environ.items()
            if name.startswith(LOAD_TIME_VARIABLES) and name not in CHECKED_VARIABLES
        ),
        "code": {relative(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in code},
    }
    if by_path:
        # As absolute paths, once each: '' (the current folder of `python -c`) in doit's process is
        # that folder's path in a worker that multiprocessing spawned.
        described["sys_path"] = absolute_entries(sys.path, os.getcwd())
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


def curve_code() -> list[Path]:
    """The files of lr_plots that the torch process's code reaches."""
    return files_reached_by(["lr_plots.curve_server"])["lr_plots.curve_server"]


def load_curve_code() -> None:
    """Import every module of lr_plots' curve code, so that no curve's child imports one from the
    folder of the build that started this warm process, which may be gone by then."""
    for path in curve_code():
        if path.suffix == ".py":
            importlib.import_module(module_name(path))


def absolute_entries(sys_path: list[str], cwd: str) -> list[str]:
    return list(dict.fromkeys(os.path.abspath(os.path.join(cwd, entry)) for entry in sys_path))


def modules_found_elsewhere(sys_path: list[str], cwd: str) -> list[str]:
    """The modules this process has loaded from a file that a build with `sys_path`, in the folder
    `cwd`, would find in another file, or would not find where this process's sys.path does: a
    project folder holding a module of the same name, say. lr_plots is left out: the key holds the
    bytes of its curve code wherever that is (a checkout, a copy of the package), and this process
    has loaded all of it. Only sys.path is searched, as import's path finder does; what other finders
    find (built-in modules, an editable install's) does not depend on it. Also the modules Python
    imports as it starts (STARTUP_MODULES) that a build would have and this process has not."""
    entries = absolute_entries(sys_path, cwd)
    elsewhere = []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        if "." in name or name == "lr_plots" or spec is None or not spec.has_location:
            continue  # submodules are found in their package, the rest not in files at all
        try:
            found = path_origin(name, entries)
            # Not in the build's sys.path: a module that no sys.path holds came from another finder.
            fits = found == os.path.abspath(spec.origin) or (
                found is None and path_origin(name, sys.path) is None
            )
        except Exception:  # a path hook of some package that fails: what it finds cannot be told
            fits = False
        if not fits:
            elsewhere.append(name)
    # What Python imports as it starts, where it finds it: a build that started with one (on its
    # PYTHONPATH, say) differs from this process even where this process has none.
    for name in STARTUP_MODULES:
        if name not in sys.modules and path_origin(name, entries) is not None:
            elsewhere.append(name)
    return sorted(elsewhere)


def path_origin(name: str, entries: list[str]) -> str | None:
    """The file in which a search of sys.path `entries` finds the top-level module `name`, if any."""
    spec = importlib.machinery.PathFinder.find_spec(name, entries)
    return None if spec is None or spec.origin is None else os.path.abspath(spec.origin)


def installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def warm_address(by_path: bool = False) -> str | None:
    """The socket of the warm torch process for this build's key (`by_path`: with sys.path), in
    this user's private folder."""
    folder = private_folder()
    return None if folder is None else str(folder / f"{PREFIX}{warm_key(by_path)}")


def start_warm(listener: socket.socket, idle_seconds: float, by_path: bool) -> None:
    """Start a warm torch process on `listener`, in a session of its own (so that neither a Ctrl-C
    nor the end of this build reaches it), its output into a log beside its socket. Spawned, not
    run as a subprocess: nothing of this process waits for it or holds it."""
    address = listener.getsockname()
    settings = {"sys_path": sys.path, "listening_fd": listener.fileno(), "idle_seconds": idle_seconds}
    settings.update(key=Path(address).name[len(PREFIX) :], by_path=by_path)
    log = f"{address}.log"
    os.set_inheritable(listener.fileno(), True)
    try:
        os.posix_spawn(
            sys.executable,
            [sys.executable, "-c", BOOTSTRAP, json.dumps(settings)],
            {**os.environ, **SINGLE_THREADED},
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                (os.POSIX_SPAWN_DUP2, 1, 2),
            ],
            setsid=True,
        )
    finally:
        os.set_inheritable(listener.fileno(), False)


def send_command(address: str, command: str) -> dict[str, Any] | None:
    """Ask the warm process at `address` for its `status`, or to `stop`: its answer, or None if
    none answers there."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(COMMAND_SECONDS)
    try:
        client.connect(address)
        client.sendall(json.dumps({"command": command}).encode() + b"\n")
        line = client.makefile("rb").readline()
    except OSError:
        return None
    finally:
        client.close()
    if not line:
        return None
    answer: dict[str, Any] = json.loads(line)
    return answer


def warm_sockets() -> list[Path]:
    """The sockets of this user's warm torch processes."""
    folder = private_folder()
    return sorted(path for path in folder.glob(f"{PREFIX}*") if path.suffix != ".log") if folder else []


def warm_processes() -> list[dict[str, Any]]:
    """The status of each warm torch process of this user; a socket nothing answers at is removed."""
    statuses = []
    for path in warm_sockets():
        status = send_command(str(path), "status")
        if status is None:
            path.unlink(missing_ok=True)
            Path(f"{path}.log").unlink(missing_ok=True)
        else:
            statuses.append(status)
    return statuses


def stop_warm_processes(address: str | None = None) -> list[dict[str, Any]]:
    """Stop the warm torch process at `address`, or every one of this user: what each said."""
    addresses = [address] if address is not None else [str(path) for path in warm_sockets()]
    stopped = []
    for each in addresses:
        answer = send_command(each, "stop")
        if answer is not None:
            stopped.append(answer)
    return stopped
