"""The same specs give the same bytes, whatever the number of processes or how they are started."""

import os
import struct
import sys

import pytest
from conftest import (
    FEW_SPECS,
    OUTPUT,
    executed,
    output_files,
    recording_torch_imports,
    run_doit,
    torch_importers,
)

# doit with the start method of its worker processes chosen by the program (lr_plots' tasks choose
# multiprocessing's forkserver when the program has not): sys.argv[1] is the method.
DOIT_STARTING_WORKERS_BY = (
    "import multiprocessing, sys\n"
    "multiprocessing.set_start_method(sys.argv.pop(1))\n"
    "from doit.doit_cmd import DoitMain\n"
    "sys.exit(DoitMain().run(sys.argv[1:]))\n"
)


def png_chunk_types(png: bytes) -> list[bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        chunks.append(kind)
        offset += 12 + length
    return chunks


@pytest.mark.early
def test_serial_and_parallel_builds_are_byte_identical(
    built_template, built_few_template, fresh_project, tmp_path, cold_builds
):
    # built_template is a serial build; fresh_project is built here by four workers.
    # Any UserWarning (such as torch's "scheduler.step() before optimizer.step()") fails the build.
    strict = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    probe = {**strict, **recording_torch_imports(tmp_path / "probe")}  # its PYTHONPATH wins
    result = run_doit(fresh_project, "-n", "4", env=probe)
    assert "Warning" not in result.stdout + result.stderr
    serial = output_files(built_template)
    assert output_files(fresh_project) == serial
    # Four workers computed 22 curves, and one process, the build's torch process, imported torch.
    assert torch_importers(tmp_path / "probe") == 1
    # Two workers (the few specs' template) made the same files for the specs they share.
    two_workers = output_files(built_few_template)
    shared = {name for name in two_workers if name.rsplit(".", 1)[0] in FEW_SPECS}
    assert len(shared) == 3 * len(FEW_SPECS)
    assert {name: two_workers[name] for name in shared} == {name: serial[name] for name in shared}


@pytest.mark.early
@pytest.mark.parametrize("start_method", ["spawn", "fork"])
def test_build_under_other_start_methods_matches(
    built_few_template, few_project, tmp_path, start_method, cold_builds
):
    run_doit(
        few_project,
        "-n",
        "2",
        python=[sys.executable, "-c", DOIT_STARTING_WORKERS_BY, start_method],
        env=recording_torch_imports(tmp_path / "probe"),
    )
    assert output_files(few_project) == output_files(built_few_template)
    assert torch_importers(tmp_path / "probe") == 1


def test_pictures_drawn_in_threads_match(built_few_template, built_few_project):
    # The threads of one process draw at once, each with its own renderer (drawing.AggCanvas); the
    # curves are up to date, so only pictures are drawn.
    for picture in (built_few_project / OUTPUT).glob("*.png"):
        picture.unlink()
    result = run_doit(built_few_project, "-n", "4", "-P", "thread")
    assert not any(task.startswith("curve:") for task in executed(result))
    assert output_files(built_few_project) == output_files(built_few_template)


def test_pngs_carry_no_text_or_time_chunks(built_template):
    for name, data in output_files(built_template).items():
        if name.endswith(".png"):
            kinds = png_chunk_types(data)
            assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(kinds), name
            width, height = struct.unpack(">II", data[16:24])
            if name != "overview.png":
                assert (width, height) == (640, 480), name  # the size of the pictures in PyTorch's docs
