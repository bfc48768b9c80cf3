"""Pictures for choosing a schedule: parameter groups, factory functions, epochs beside steps, and
comparisons, checked against closed forms and the behaviours the README promises."""

import csv
import json
import math
import shutil

import pytest
from conftest import COMPARISONS, OUTPUT, ROOT, executed, output_files, picture_files, run_doit

from lr_plots.error_messages import LoadError

SPECS = ROOT / "lr_plots/specs"
STEPS = range(100)
SHIPPED_COMPARISONS = {"Compare_warmup", "Compare_decay", "Compare_CyclicLR_modes"}


def read_columns(project, name):
    with open(project / OUTPUT / f"{name}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    return {column: [float(row[column]) for row in rows] for column in rows[0] if column != "step"}


def read_metadata(project, name):
    return json.loads((project / OUTPUT / f"{name}.json").read_text())


def write_spec(folder, name, source):
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(source)
    return path


def test_two_parameter_groups_match_closed_forms(built_template):
    columns = read_columns(built_template, "LambdaLR_groups")
    assert list(columns) == ["lr", "lr_1"]
    assert columns["lr"] == pytest.approx([0.01 * min(1.0, (n + 1) / 10) for n in STEPS], rel=1e-12)
    assert columns["lr_1"] == pytest.approx([0.05 * 0.95**n for n in STEPS], rel=1e-12)
    metadata = read_metadata(built_template, "LambdaLR_groups")
    assert metadata["groups"] == 2 and metadata["base_lr"] == [0.01, 0.05]
    assert metadata["title"] == "LambdaLR(lr_lambda=[linear_warmup_10, decay_0_95])"
    assert read_metadata(built_template, "StepLR")["groups"] == 1
    assert read_metadata(built_template, "StepLR")["base_lr"] == 0.05

    html = (built_template / OUTPUT / "index.html").read_text()
    figure = html.split('<figure id="LambdaLR_groups">', 1)[1].split("</figure>", 1)[0]
    assert "2 parameter groups, base LRs\n      0.01, 0.05" in figure
    assert "1 parameter group, base LR 0.05" in html.split('<figure id="StepLR">', 1)[1]


def test_per_group_max_lr_gives_lr_and_momentum_columns_per_group(tmp_path):
    from lr_plots.curves import curve_csv, load_spec, scheduler_curve
    from lr_plots.drawing import render_picture

    spec = write_spec(
        tmp_path,
        "OneCycleLR_groups",
        "from torch.optim.lr_scheduler import OneCycleLR\nSCHEDULER = OneCycleLR\n"
        "ARGUMENTS = {'max_lr': [0.1, 0.01], 'total_steps': 20}\nBASE_LR = [0.05, 0.05]\nSTEPS = 20\n",
    )
    curve = scheduler_curve(load_spec(spec))
    assert curve_csv(curve).startswith(b"step,lr,lr_1,momentum,momentum_1\n")
    # One cycle from max_lr / 25 up to max_lr (at 30% of the steps) and down, in each group.
    assert curve["lr"][0] == pytest.approx(0.1 / 25) and max(curve["lr"]) == pytest.approx(0.1)
    assert curve["lr_1"] == pytest.approx([lr / 10 for lr in curve["lr"]], rel=1e-12)
    assert curve["momentum"] == curve["momentum_1"] and min(curve["momentum"]) == pytest.approx(0.85)

    metadata = {"title": "t", "x_label": "Step", "base_lr": [0.05, 0.01], "groups": 2, "steps_per_epoch": 5}
    svg = render_picture(curve, metadata, "svg").decode()
    for label in ("group 0 (base LR 0.05)", "group 1 (base LR 0.01)", "momentum, group 1", "Epoch (5 steps"):
        assert label in svg, label


def test_factory_spec_is_transformers_cosine_with_warmup(built_template):
    def cosine_with_warmup(n):
        if n < 10:
            return 0.05 * n / 10
        return 0.05 * 0.5 * (1 + math.cos(math.pi * (n - 10) / 90))

    lrs = read_columns(built_template, "LambdaLR_cosine_with_warmup")["lr"]
    assert lrs == pytest.approx([cosine_with_warmup(n) for n in STEPS], rel=1e-9, abs=1e-15)
    metadata = read_metadata(built_template, "LambdaLR_cosine_with_warmup")
    assert metadata["title"] == "cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100)"
    assert metadata["scheduler"] == "cosine_schedule_with_warmup"
    assert metadata["x_label"] == "Step"


def test_transformers_factory_used_as_scheduler_gives_the_same_curve(tmp_path):
    # The real transformers package (pinned in constraints.txt, installed with the test extra).
    from lr_plots.curves import curve_metadata, load_spec, scheduler_curve

    spec = write_spec(
        tmp_path / "specs",
        "Cosine",
        "from transformers import get_cosine_schedule_with_warmup\n\n"
        "SCHEDULER = get_cosine_schedule_with_warmup\n"
        "ARGUMENTS = {'num_warmup_steps': 10, 'num_training_steps': 100}\nBASE_LR = 0.05\nSTEPS = 100\n",
    )
    theirs = load_spec(spec)
    ours = load_spec(SPECS / "LambdaLR_cosine_with_warmup.py")
    assert scheduler_curve(theirs) == scheduler_curve(ours)  # to the last digit
    assert json.loads(curve_metadata(theirs))["title"] == (
        "get_cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100)"
    )


def test_steps_per_epoch_redraws_the_picture_and_leaves_the_csv(built_project):
    metadata = read_metadata(built_project, "OneCycleLR")
    assert metadata["steps_per_epoch"] == 10 and metadata["x_label"] == "Step"
    assert read_metadata(built_project, "StepLR")["steps_per_epoch"] is None
    before = output_files(built_project)

    # OneCycleLR without STEPS_PER_EPOCH, and PolynomialLR, which no comparison names, changed.
    one_cycle = SPECS / "OneCycleLR.py"
    source = one_cycle.read_text().replace("STEPS_PER_EPOCH = 10", "BATCHES = 10")
    (built_project / "lr_plots/specs/OneCycleLR.py").write_text(source.replace("STEPS_PER_EPOCH", "BATCHES"))
    polynomial = built_project / "lr_plots/specs/PolynomialLR.py"
    polynomial.write_text(polynomial.read_text().replace('"power": 0.9', '"power": 2.0'))
    assert executed(run_doit(built_project)) == {
        "curve:OneCycleLR",
        "plot:OneCycleLR",
        "curve:PolynomialLR",
        "plot:PolynomialLR",
        "gallery",
        "explore",
    }
    after = output_files(built_project)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {
        "OneCycleLR.json",
        "OneCycleLR.png",
        "PolynomialLR.csv",
        "PolynomialLR.json",
        "PolynomialLR.png",
        "index.html",
        "overview.png",
        "explore.html",
    }  # OneCycleLR.csv is byte-identical, and no comparison was redrawn
    assert read_metadata(built_project, "OneCycleLR")["steps_per_epoch"] is None


def test_comparisons_have_a_picture_and_json_but_no_curve(built_template):
    assert SHIPPED_COMPARISONS <= set(COMPARISONS)
    html = (built_template / OUTPUT / "index.html").read_text()
    comparisons_section = html.split("<h1>Comparisons</h1>", 1)[1]
    for name in COMPARISONS:
        metadata = read_metadata(built_template, name)
        assert set(metadata) == {"title", "members", "normalize"}
        assert metadata["title"] == " vs ".join(metadata["members"])
        assert not (built_template / OUTPUT / f"{name}.csv").exists()
        assert f'<img src="{name}.png"' in comparisons_section
        for member in metadata["members"]:
            assert f'<a href="#{member}">{member}</a>' in comparisons_section
    assert read_metadata(built_template, "Compare_decay")["members"] == [
        "StepLR",
        "MultiStepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
    ]
    assert read_metadata(built_template, "Compare_warmup")["normalize"] is True


def test_comparison_lines_are_the_members_lrs_normalized_on_request(built_template):
    from lr_plots.drawing import comparison_series, read_curve_csv, render_comparison

    def members(names):
        return [
            (read_metadata(built_template, name), read_curve_csv(built_template / OUTPUT / f"{name}.csv"))
            for name in names
        ]

    warmup = members(read_metadata(built_template, "Compare_warmup")["members"])
    series = comparison_series(warmup, normalize=True)
    assert [label for label, _ in series] == [metadata["title"] for metadata, _ in warmup]
    for (_, values), (metadata, curve) in zip(series, warmup, strict=True):
        assert values == [lr / metadata["base_lr"] for lr in curve["lr"]]
        assert max(values) == pytest.approx(1.0)  # every warm-up reaches its base LR
    assert comparison_series(warmup, normalize=False)[0][1] == warmup[0][1]["lr"]

    groups = comparison_series(members(["LambdaLR_groups"]), normalize=True)
    assert [label for label, _ in groups] == [
        "LambdaLR(lr_lambda=[linear_warmup_10, decay_0_95]), group 0",
        "LambdaLR(lr_lambda=[linear_warmup_10, decay_0_95]), group 1",
    ]
    assert groups[0][1] == pytest.approx([min(1.0, (n + 1) / 10) for n in STEPS], rel=1e-12)
    assert groups[1][1] == pytest.approx([0.95**n for n in STEPS], rel=1e-12)

    svg = render_comparison(warmup, "a title", True, "svg").decode()
    assert "Learning Rate / base LR" in svg
    assert "cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100)" in svg


GOOD_SPEC = (SPECS / "StepLR.py").read_text()
BAD_COMPARISONS = {
    'COMPARE = ["StepLR", "NoSuchLR"]': "COMPARE names 'NoSuchLR', but there is no spec file "
    "{folder}/NoSuchLR.py.",
    'COMPARE = ["StepLR", "Bad"]': "COMPARE names 'Bad', the comparison itself.",
    'COMPARE = ["Other"]': "COMPARE names 'Other', another comparison ({folder}/Other.py); name specs "
    "with curves.",
    'COMPARE = ["StepLR", "StepLR"]': "COMPARE names 'StepLR' twice.",
    "COMPARE = []": "COMPARE is an empty list; name the specs to compare.",
    'COMPARE = "StepLR"': "COMPARE must be a list of spec names written out as strings, like "
    'COMPARE = ["StepLR", "ExponentialLR"] (got \'StepLR\').',
    "COMPARE = [1, 2]": "COMPARE must be a list of spec names written out as strings",
    'COMPARE = sorted(["StepLR"])': "COMPARE must be a list of spec names written out as strings",
    'COMPARE = ["StepLR"]\nNORMALIZE = "yes"': "NORMALIZE must be True or False (got 'yes').",
    'COMPARE = ["StepLR"]\nSCHEDULER = 3': "COMPARE makes it a comparison of other specs' curves, so it must "
    "not set SCHEDULER too",
}


@pytest.mark.parametrize("source", list(BAD_COMPARISONS))
def test_bad_comparison_is_refused_at_load_in_one_line(tmp_path, source):
    from lr_plots.discovery import find_spec_files

    folder = tmp_path / "specs"
    write_spec(folder, "StepLR", GOOD_SPEC)
    write_spec(folder, "Other", 'COMPARE = ["StepLR"]\n')
    bad = write_spec(folder, "Bad", f'"""A comparison."""\n\n{source}\n')
    with pytest.raises(LoadError) as error:
        find_spec_files(str(folder), "out", "png")
    message = str(error.value)
    assert message.startswith(f"{bad}: " + BAD_COMPARISONS[source].format(folder=folder)), message
    assert "\n" not in message


def test_comparison_names_follow_the_spec_name_rules(tmp_path):
    from lr_plots.discovery import find_spec_files

    folder = tmp_path / "specs"
    write_spec(folder, "StepLR", GOOD_SPEC)
    write_spec(folder, "compare-all", 'COMPARE = ["StepLR"]\n')
    with pytest.raises(LoadError, match=r"compare-all\.py: a spec file's name must be a valid Python"):
        find_spec_files(str(folder), "out", "png")
    (folder / "compare-all.py").rename(folder / "steplr.py")
    with pytest.raises(LoadError, match=r"steplr\.py: its picture steplr\.png would overwrite"):
        find_spec_files(str(folder), "out", "png")


def test_deleting_a_compared_spec_stops_doit_loading_with_one_line(fresh_project):
    listing = run_doit(fresh_project, "list", "--all").stdout
    assert "plot:Compare_decay" in listing and "curve:Compare_decay" not in listing
    assert "Decays side by side: step, multi-step, exponential and cosine" in listing

    (fresh_project / "lr_plots/specs/MultiStepLR.py").unlink()
    result = run_doit(fresh_project, check=False)
    assert result.returncode != 0
    assert (
        "lr_plots/specs/Compare_decay.py: COMPARE names 'MultiStepLR', but there is no spec file "
        "lr_plots/specs/MultiStepLR.py." in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert output_files(fresh_project) == {}


@pytest.mark.slow  # a build of its own (torch imported anew), kept out of the 90 s fast suite
def test_comparison_of_another_folder_in_svg_builds_and_cleans(fresh_project, tmp_path):
    specs, out = tmp_path / "my_specs", tmp_path / "my_pictures"
    specs.mkdir()
    for name in ("StepLR", "ExponentialLR"):
        shutil.copy(SPECS / f"{name}.py", specs)
    write_spec(specs, "Both", '"""Step against exponential."""\n\nCOMPARE = ["StepLR", "ExponentialLR"]\n')
    variables = [f"specs={specs}", f"out={out}", "format=svg"]

    result = run_doit(fresh_project, *variables)
    assert executed(result) == {
        "curve:StepLR",
        "curve:ExponentialLR",
        "plot:StepLR",
        "plot:ExponentialLR",
        "plot:Both",
        "gallery",
        "explore",
    }
    assert set(output_files(tmp_path, "my_pictures")) == picture_files(["StepLR", "ExponentialLR"], "svg") | {
        "Both.json",
        "Both.svg",
    }
    assert json.loads((out / "Both.json").read_text()) == {
        "title": "StepLR vs ExponentialLR",
        "members": ["StepLR", "ExponentialLR"],
        "normalize": False,
    }  # the docstring is not in it
    assert (out / "Both.svg").read_text().startswith("<?xml")
    assert 'src="Both.svg"' in (out / "index.html").read_text()
    assert executed(run_doit(fresh_project, *variables)) == set()

    run_doit(fresh_project, *variables, "clean", "plot:Both")
    assert set(output_files(tmp_path, "my_pictures")) == picture_files(["StepLR", "ExponentialLR"], "svg")
    run_doit(fresh_project, *variables, "clean")
    assert output_files(tmp_path, "my_pictures") == {}
