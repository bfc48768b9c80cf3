"""doit's dependency database: a backend that keeps each finished task's record even if the build
is killed, one doit at a time per folder, and a corrupted file set aside; and the check of a task's
files that takes a Python file as changed only when its code is."""

import ast
import fcntl
import hashlib
import json
import os
import sqlite3
import sys
import time
from typing import Any

from doit.dependency import MD5Checker, SqliteDB
from doit.exceptions import InvalidDodoFile


class SqliteDBCommittingEachTask(SqliteDB):
    """doit's sqlite3 backend, but each task's record is committed as soon as the task succeeds
    (doit's own commits only when the whole run ends), so a killed build keeps the work it finished.
    Before opening the file it takes the folder's build lock and sets a corrupted file aside. A file
    saved while the task that depends on it ran is recorded as changed (CodeChecker notes how doit
    first saw each file), so that it is never taken for what the task was made from.
    Registered as the doit.BACKEND entry point `sqlite3-each-task` in pyproject.toml."""

    desc = "sqlite3, committed after each successful task, one build at a time"

    def __init__(self, name: str, codec: object, **options: object) -> None:
        hold_build_lock(f"{name}.lock")
        set_aside_if_corrupted(name)
        super().__init__(name, codec, **options)
        self.started = time.time()

    def set(self, task_id: str, dependency: str, value: object) -> None:
        if isinstance(value, list | tuple):  # a file's (time, size, digest)
            seen = first_seen.get(dependency)
            if seen is None and dependency.endswith(".py") and value[0] > self.started:
                seen = self.started  # a spec or code file, which no task writes, saved during the run
            if seen is not None and value[0] != seen:
                # The file was saved while its task ran, which may have read it before: doit would
                # record it as it is now, as if the task had been made from it. Record instead a state
                # that no file has (no size, no digest), so the next build redoes the task.
                value = (seen, -1, "")
        super().set(task_id, dependency, value)
        # doit's save_success() writes 'deps:' last: from then on the task's record is whole.
        if dependency == "deps:":
            record = self.codec.encode(self._cache[task_id])
            self._conn.execute("insert or replace into doit values (?,?)", (task_id, record))
            self._conn.commit()
            self._dirty.discard(task_id)


def hold_build_lock(lock_path: str) -> None:
    """Take the folder's build lock for the life of this process, waiting while another doit has it."""
    try:
        os.makedirs(os.path.dirname(lock_path) or ".", exist_ok=True)
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise InvalidDodoFile(f"cannot create the build lock {lock_path}: {error.strerror}.") from error
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(
            f"doit: another doit is running in this folder; waiting for it to finish "
            f"(lock file {lock_path}).",
            file=sys.stderr,
            flush=True,
        )
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    # doit's worker processes inherit the descriptor; they close their copy, so the lock is held
    # exactly as long as this process lives, and is freed by the kernel however it ends.
    os.register_at_fork(after_in_child=lambda: os.close(descriptor))


def set_aside_if_corrupted(db_path: str) -> None:
    """If doit's sqlite3 file at `db_path` is unreadable, rename it to <db_path>.corrupt and say so.

    doit then starts from an empty database and rebuilds everything: slower, never stale.
    """
    if not os.path.exists(db_path):
        return
    problem = database_problem(db_path)
    if problem:
        os.replace(db_path, db_path + ".corrupt")
        print(
            f"doit: the dependency database {db_path} is corrupted ({problem}); it was moved to "
            f"{db_path}.corrupt and every task will be rebuilt.",
            file=sys.stderr,
            flush=True,
        )


def database_problem(db_path: str) -> str | None:
    """What is wrong with the doit sqlite3 database at `db_path`, or None if it reads back whole."""
    try:
        # Read-write, so that sqlite rolls back a journal left by a build that was killed mid-commit.
        connection = sqlite3.connect(db_path)
        try:
            (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                return str(verdict)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if tables and "doit" not in tables:
                return "it has no doit table"
            if "doit" in tables:
                for (data,) in connection.execute("SELECT task_data FROM doit"):
                    json.loads(data)
        finally:
            connection.close()
    except (sqlite3.Error, ValueError, TypeError) as error:
        return str(error)
    return None


# The modification time of each file as doit first looked at it in this run (CodeChecker.info): when
# it decided whether a task that depends on it runs, before that task could read it.
first_seen: dict[str, float] = {}


class CodeChecker(MD5Checker):
    """doit's md5 check of a task's files, but a Python file (a spec, lr_plots' code) is changed only
    when its code is: its state holds the digest of its syntax tree without docstrings, so that
    editing a comment or a docstring redoes no task (the gallery, which shows a spec's summary, is
    redone through its own record of the summaries). DOIT_CONFIG's `check_file_uptodate`."""

    def info(self, file_path: str) -> os.stat_result:
        info = os.stat(file_path)
        first_seen.setdefault(file_path, info.st_mtime)
        return info

    def check_modified(self, file_path: str, file_stat: os.stat_result, state: Any) -> bool:
        if not file_path.endswith(".py"):
            return bool(super().check_modified(file_path, file_stat, state))
        timestamp, _, digest = state
        return bool(file_stat.st_mtime != timestamp and code_digest(file_path) != digest)

    def get_state(self, dep: str, current_state: Any) -> Any:
        if not dep.endswith(".py"):
            return super().get_state(dep, current_state)
        timestamp = os.path.getmtime(dep)
        if current_state and current_state[0] == timestamp:
            return None
        return timestamp, os.path.getsize(dep), code_digest(dep)


def code_digest(path: str) -> str:
    """The md5 of what the Python file at `path` does: its syntax tree with no docstrings (comments
    are not in it); of its bytes if it does not parse. Worked out once per file and version in a
    process: every task of a kind depends on the same code."""
    info = os.stat(path)
    key = (os.path.abspath(path), info.st_mtime_ns, info.st_size)
    if key not in _digests:
        _digests[key] = digest_of_code(path)
    return _digests[key]


_digests: dict[tuple[str, int, int], str] = {}


def digest_of_code(path: str) -> str:
    with open(path, "rb") as file:
        source = file.read()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return hashlib.md5(source).hexdigest()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.md5(ast.dump(tree).encode()).hexdigest()
