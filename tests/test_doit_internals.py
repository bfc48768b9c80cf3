"""The parts of doit that lr_plots relies on beyond its documented API (lr_plots.dependency_db), as
the doit release that pyproject.toml allows has them: if a release moves them, this fails first."""

import inspect
import sqlite3
from importlib.metadata import requires, version

from doit.dependency import JSONCodec, MD5Checker, SqliteDB
from packaging.requirements import Requirement


def test_the_allowed_doit_releases_are_the_one_tested():
    (doit,) = [Requirement(line) for line in requires("lr_plots") if line.startswith("doit")]
    assert version("doit") in doit.specifier
    assert "0.38.0" not in doit.specifier  # bounded above at the minor release these tests cover


def test_sqlite_backend_keeps_its_records_where_the_each_task_backend_writes_them(tmp_path):
    database = SqliteDB(str(tmp_path / "db"), JSONCodec())
    # SqliteDBCommittingEachTask writes a task's record itself, from the cache doit fills, into
    # doit's table, and takes it off doit's list of records still to write.
    assert isinstance(database._cache, dict) and isinstance(database._dirty, set)
    assert isinstance(database._conn, sqlite3.Connection)
    database.set("task", "deps:", ["a.py"])
    assert "task" in database._dirty
    record = database.codec.encode(database._cache["task"])
    database._conn.execute("insert or replace into doit values (?,?)", ("task", record))
    database._conn.commit()
    database._dirty.discard("task")
    database.dump()
    assert SqliteDB(str(tmp_path / "db"), JSONCodec()).get("task", "deps:") == ["a.py"]


def test_the_file_checker_has_the_methods_codechecker_overrides():
    assert list(inspect.signature(MD5Checker.check_modified).parameters) == [
        "self",
        "file_path",
        "file_stat",
        "state",
    ]
    assert list(inspect.signature(MD5Checker.get_state).parameters) == ["self", "dep", "current_state"]
    assert list(inspect.signature(MD5Checker.info).parameters) == ["self", "file_path"]
