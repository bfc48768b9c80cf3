"""Compare two output folders picture by picture and write review.html, review.md and review.json."""

import base64
import json
import math
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from lr_plots.atomic_file import write_atomically
from lr_plots.curve_files import Columns, column_kind, read_curve_csv

TEMPLATES = Path(__file__).parent / "templates"
REVIEW_FILES = ("review.html", "review.md", "review.json")
PICTURE_SUFFIXES = (".png", ".svg")
MIME_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
# The order of the page's sections and of the terminal's lines: what needs a reviewer's eye first.
STATUSES = ("changed", "redrawn", "added", "removed", "unchanged")
STATUS_WORDS = {
    "changed": "changed",
    "redrawn": "drawn differently, same values",
    "added": "added",
    "removed": "removed",
    "unchanged": "unchanged",
}
# Fields of a picture's JSON shown as their own rows rather than as "settings": the title is made
# of the arguments, and the arguments are compared one by one.
CALL_FIELDS = ("title", "arguments")


class ReviewInputError(Exception):
    """A base folder or revision that cannot be reviewed; the message names it and says why."""


@dataclass(frozen=True)
class Change:
    """One argument or JSON field of a picture, before and after (None where it is absent)."""

    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Extreme:
    """The largest change of the LR: its size (None for an infinite relative change, an LR leaving
    0), the step and column where it is, and the values there before and after."""

    change: float | None
    step: int
    column: str
    before: float
    after: float


@dataclass
class PictureReview:
    """What a change did to one picture."""

    name: str
    status: str
    kind: str  # "curve" (it has a CSV) or "comparison"
    picture_before: Path | None = None
    picture_after: Path | None = None
    title_before: str | None = None
    title_after: str | None = None
    arguments: list[Change] = field(default_factory=list)
    settings: list[Change] = field(default_factory=list)
    first_difference: int | None = None
    largest_absolute: Extreme | None = None
    largest_relative: Extreme | None = None
    members_changed: list[str] = field(default_factory=list)
    values_compared: bool = False  # both have a CSV, compared value by value

    def description(self) -> str:
        """One line saying what changed, for the terminal."""
        parts = [change_text(change, "->") for change in [*self.arguments, *self.settings]]
        if self.members_changed:
            parts.append(f"overlays {', '.join(self.members_changed)}, which changed")
        if self.largest_absolute is not None and self.largest_relative is not None:
            parts.append(
                f"differs from step {self.first_difference}, by up to {number(self.largest_absolute.change)}"
                f" (step {self.largest_absolute.step}) or {percent(self.largest_relative)}"
                f" (step {self.largest_relative.step})"
            )
        elif self.values_compared and self.first_difference is None:
            parts.append("the same values at every step")
        elif self.values_compared:
            parts.append(f"the same LR; other columns differ from step {self.first_difference}")
        return "; ".join(parts)


@dataclass
class Review:
    """Every picture of two output folders: the base (`before`) and the new one (`after`)."""

    base_label: str
    new_label: str
    pictures: list[PictureReview]

    def of(self, status: str) -> list[PictureReview]:
        return [picture for picture in self.pictures if picture.status == status]

    def counts(self) -> dict[str, int]:
        return {status: len(self.of(status)) for status in STATUSES}

    @property
    def anything_changed(self) -> bool:
        """Whether any picture differs at all: changed, drawn differently, added or removed."""
        return any(picture.status != "unchanged" for picture in self.pictures)

    def summary(self) -> str:
        """'1 picture changed, 1 added, 1 removed, 0 drawn differently with the same values, 3
        unchanged', or 'no picture changed (6 unchanged)'."""
        counts = self.counts()
        if not self.anything_changed:
            return f"no picture changed ({counts['unchanged']} unchanged)"
        return (
            f"{counts['changed']} picture{'' if counts['changed'] == 1 else 's'} changed, "
            f"{counts['added']} added, {counts['removed']} removed, "
            f"{counts['redrawn']} drawn differently with the same values, {counts['unchanged']} unchanged"
        )


def number(value: float | None) -> str:
    """A change as it is shown: six significant digits."""
    return "infinite" if value is None else f"{value:.6g}"


def percent(extreme: Extreme | None) -> str:
    """A relative change in per cent; an LR that leaves 0 changes by an infinite factor."""
    if extreme is None:
        return "0 %"
    if extreme.change is None:
        return "infinite, from 0"
    value = extreme.change * 100
    return f"{value:.4g} %" if value < 1e4 else f"{value:,.0f} %"  # 12,400 %, not 1.24e+04 %


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`, or None if there is none there."""
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def picture_file(folder: Path, name: str) -> Path | None:
    """The picture of `name` in `folder` (PNG or SVG), or None."""
    for suffix in PICTURE_SUFFIXES:
        if (folder / f"{name}{suffix}").is_file():
            return folder / f"{name}{suffix}"
    return None


def output_pictures(folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    """The pictures of an output folder by name: those of `names` if given (the specs a build
    drew, so that the files of a deleted spec, left until `doit clean`, do not count), else every
    <Name>.json with a title and a picture beside it."""
    if names is None:
        names = [
            path.stem
            for path in sorted(folder.glob("*.json"))
            if not path.name.startswith(".")
            and path.name not in REVIEW_FILES
            and "title" in (read_json(path) or {})
        ]
    pictures = {name: picture for name in names if (picture := picture_file(folder, name)) is not None}
    return dict(sorted(pictures.items()))


def check_output_folder(folder: Path) -> None:
    """ReviewInputError unless `folder` is an output folder holding at least one picture."""
    if not folder.is_dir():
        raise ReviewInputError(f"{folder}: there is no such folder to compare with.")
    if not output_pictures(folder):
        raise ReviewInputError(
            f"{folder}: not an lr_plots output folder (no <Name>.json with its <Name>.png or .svg); "
            "give the folder of an earlier build (out=DIR)."
        )


def split_arguments(text: str) -> dict[str, str]:
    """'step_size=30, milestones=[10, 20]' as {'step_size': '30', 'milestones': '[10, 20]'}: the
    JSON's call text split at the commas outside brackets and quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    quote: str | None = None
    escaped = False
    for character in text:
        if quote is not None:  # inside a string written by repr()
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == quote:
                quote = None
        elif character in "'\"":
            quote = character
        elif character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif character == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(character)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    arguments = {}
    for part in parts:
        name, equals, value = part.partition("=")
        arguments[name.strip() if equals else part] = value.strip() if equals else ""
    return arguments


def changes(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    """The keys whose values differ, in sorted order."""
    return [
        Change(key, before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def metadata_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[Change], list[Change]]:
    """What differs between two pictures' JSONs: the call's arguments, one by one, and every
    other field (base LR, steps, members, ...), each written as JSON."""
    arguments = changes(
        split_arguments(str(before.get("arguments", ""))), split_arguments(str(after.get("arguments", "")))
    )

    def settings(metadata: dict[str, Any]) -> dict[str, str]:
        return {
            key: json.dumps(value, sort_keys=True)
            for key, value in metadata.items()
            if key not in CALL_FIELDS
        }

    return arguments, changes(settings(before), settings(after))


def is_lr_column(column: str) -> bool:
    """Whether the column is a parameter group's LR: `lr`, `lr_1`, ... (not momentum or loss)."""
    return column_kind(column)[0] == "lr"


def curve_difference(before: Columns, after: Columns) -> tuple[int | None, Extreme | None, Extreme | None]:
    """The first step at which any column of the two curves differs (None if none does), and the
    largest absolute and relative change of the LR (any parameter group's), over the steps and
    columns they share."""
    shared = [column for column in before if column in after]
    lengths = len(before["lr"]), len(after["lr"])
    steps = min(lengths)
    first: int | None = None
    for step in range(steps):
        if any(before[column][step] != after[column][step] for column in shared):
            first = step
            break
    if first is None and before.keys() != after.keys():
        first = 0  # a column (momentum, a parameter group) that only one of them has
    elif first is None and lengths[0] != lengths[1]:
        first = steps  # the first step that only one of them has
    largest_absolute: Extreme | None = None
    largest_relative: Extreme | None = None
    for column in filter(is_lr_column, shared):
        for step in range(steps):
            old, new = before[column][step], after[column][step]
            change = abs(new - old)
            if change == 0:
                continue
            if largest_absolute is None or change > (largest_absolute.change or 0.0):
                largest_absolute = Extreme(change, step, column, old, new)
            # An LR leaving 0 changes by an infinite factor, which no finite one exceeds.
            relative = change / abs(old) if old != 0 else math.inf
            known = largest_relative
            if known is None or (known.change is not None and relative > known.change):
                largest_relative = Extreme(None if math.isinf(relative) else relative, step, column, old, new)
    return first, largest_absolute, largest_relative


def same_bytes(first: Path, second: Path) -> bool:
    return first.is_file() and second.is_file() and first.read_bytes() == second.read_bytes()


def compare_picture(
    name: str, base: Path, new: Path, before_picture: Path, after_picture: Path
) -> PictureReview:
    """The review of a picture that both folders have."""
    before_metadata = read_json(base / f"{name}.json") or {}
    after_metadata = read_json(new / f"{name}.json") or {}
    has_csv = (base / f"{name}.csv").is_file(), (new / f"{name}.csv").is_file()
    review = PictureReview(
        name,
        "unchanged",
        "curve" if has_csv[1] else "comparison",
        before_picture,
        after_picture,
        before_metadata.get("title"),
        after_metadata.get("title"),
    )
    review.arguments, review.settings = metadata_changes(before_metadata, after_metadata)
    values_changed = before_metadata != after_metadata or has_csv[0] != has_csv[1]
    review.values_compared = all(has_csv)
    if review.values_compared and not same_bytes(base / f"{name}.csv", new / f"{name}.csv"):
        values_changed = True
        review.first_difference, review.largest_absolute, review.largest_relative = curve_difference(
            read_curve_csv(base / f"{name}.csv"), read_curve_csv(new / f"{name}.csv")
        )
    # A comparison draws its members' curves: it changes with them.
    for member in after_metadata.get("members", []) if not has_csv[1] else []:
        if not (
            same_bytes(base / f"{member}.csv", new / f"{member}.csv")
            and same_bytes(base / f"{member}.json", new / f"{member}.json")
        ):
            review.members_changed.append(str(member))
    if values_changed or review.members_changed:
        review.status = "changed"
    elif not same_bytes(before_picture, after_picture):
        review.status = "redrawn"
    return review


def compare_folders(
    base: Path,
    new: Path,
    base_names: list[str] | None = None,
    new_names: list[str] | None = None,
    base_label: str | None = None,
    new_label: str | None = None,
) -> Review:
    """Every picture of the output folders `base` (before) and `new` (after), compared: the
    pictures of `base_names` and `new_names` if given, else every picture there."""
    before, after = output_pictures(base, base_names), output_pictures(new, new_names)
    pictures = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            metadata = read_json(base / f"{name}.json") or {}
            kind = "curve" if (base / f"{name}.csv").is_file() else "comparison"
            pictures.append(PictureReview(name, "removed", kind, before[name], None, metadata.get("title")))
        elif name not in before:
            metadata = read_json(new / f"{name}.json") or {}
            kind = "curve" if (new / f"{name}.csv").is_file() else "comparison"
            added = PictureReview(name, "added", kind, None, after[name], None, metadata.get("title"))
            pictures.append(added)
        else:
            pictures.append(compare_picture(name, base, new, before[name], after[name]))
    return Review(base_label or str(base), new_label or str(new), pictures)


def data_uri(path: Path) -> str:
    """The picture as a data: URI, so the page shows it wherever it is opened, and after the base
    folder (a temporary one, with --rev) is gone."""
    return f"data:{MIME_TYPES[path.suffix]};base64,{base64.b64encode(path.read_bytes()).decode()}"


def overlay_svg(name: str, base: Path, new: Path) -> str:
    """Both curves of `name` on one chart, drawn by lr_plots' own comparison drawing as SVG to be
    put inside the page: its two (or, with parameter groups, more) LR lines are elements there."""
    from lr_plots.drawing import render_comparison  # matplotlib, only when a curve changed

    members = []
    for label, folder in (("before", base), ("after", new)):
        metadata = read_json(folder / f"{name}.json") or {}
        metadata["title"] = f"{label}: {metadata.get('title', name)}"
        members.append((metadata, read_curve_csv(folder / f"{name}.csv")))
    svg = render_comparison(members, f"{name}: before and after", False, "svg").decode()
    # Inside HTML the XML declaration and doctype have no place, nor the RDF metadata (a type and a
    # format, naming their vocabularies by URL): the <svg> element is the chart.
    svg = svg[svg.index("<svg") :]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)


def review_html(review: Review) -> bytes:
    """The page: the summary, then each changed picture before and after with the overlay of its
    curves and what moved, each picture drawn differently, added or removed."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))
    sections = []
    for status in STATUSES[:-1]:
        for picture in review.of(status):
            overlay = None
            if status == "changed" and picture.values_compared and picture.first_difference is not None:
                assert picture.picture_before is not None and picture.picture_after is not None
                # The matplotlib SVG escapes every text it holds (spec titles are in its comments).
                folders = picture.picture_before.parent, picture.picture_after.parent
                overlay = Markup(overlay_svg(picture.name, *folders))
            sections.append(
                {
                    "picture": picture,
                    "words": STATUS_WORDS[status],
                    "before": data_uri(picture.picture_before) if picture.picture_before else None,
                    "after": data_uri(picture.picture_after) if picture.picture_after else None,
                    "overlay": overlay,
                }
            )
    return (
        environment.get_template("review.html.j2")
        .render(
            review=review,
            sections=sections,
            unchanged=[picture.name for picture in review.of("unchanged")],
            number=number,
            percent=percent,
        )
        .encode()
    )


def markdown_text(text: str) -> str:
    """`text` from a spec as Markdown that shows it as it is: no table cell ends, no HTML, no emphasis."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for character in "\\`*_[]|#~":
        text = text.replace(character, f"\\{character}")
    return text


def change_text(change: Change, arrow: str = "→") -> str:
    """'gamma: 0.1 → 0.5'; the terminal's arrow is ASCII."""
    return f"{change.name}: {change.before or '(none)'} {arrow} {change.after or '(none)'}"


def review_markdown(review: Review) -> str:
    """The summary for a pull-request comment or a CI job summary: one table row per picture
    that differs."""
    lines = [f"### LR pictures: {review.summary()}", ""]
    lines.append(
        f"Compared {markdown_text(review.new_label)} with {markdown_text(review.base_label)}; "
        "review.html in the output folder shows each picture before and after."
    )
    if review.anything_changed:
        lines += [
            "",
            "| picture | what | largest change of the LR | first different step | what changed |",
            "|---|---|---|---|---|",
        ]
        for status in STATUSES[:-1]:
            for picture in review.of(status):
                largest = ""
                if picture.largest_absolute is not None and picture.largest_relative is not None:
                    largest = "; ".join(
                        f"{size} at step {extreme.step} ({extreme.before!r} → {extreme.after!r})"
                        for size, extreme in (
                            (number(picture.largest_absolute.change), picture.largest_absolute),
                            (percent(picture.largest_relative), picture.largest_relative),
                        )
                    )
                step = "" if picture.first_difference is None else str(picture.first_difference)
                what = [change_text(change) for change in [*picture.arguments, *picture.settings]]
                what += [f"overlays {member}, which changed" for member in picture.members_changed]
                cells = [picture.name, STATUS_WORDS[status], largest, step, "; ".join(what)]
                lines.append("| " + " | ".join(markdown_text(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def extreme_json(extreme: Extreme | None) -> dict[str, Any] | None:
    return None if extreme is None else vars(extreme).copy()


def review_json(review: Review) -> bytes:
    """The same facts for bots; a relative change of null is infinite (an LR leaving 0)."""
    pictures = []
    for picture in review.pictures:
        pictures.append(
            {
                "name": picture.name,
                "status": picture.status,
                "kind": picture.kind,
                "picture_before": picture.picture_before.name if picture.picture_before else None,
                "picture_after": picture.picture_after.name if picture.picture_after else None,
                "title_before": picture.title_before,
                "title_after": picture.title_after,
                "arguments": [vars(change) for change in picture.arguments],
                "settings": [vars(change) for change in picture.settings],
                "first_difference": picture.first_difference,
                "largest_absolute_change": extreme_json(picture.largest_absolute),
                "largest_relative_change": extreme_json(picture.largest_relative),
                "members_changed": picture.members_changed,
            }
        )
    facts = {
        "base": review.base_label,
        "new": review.new_label,
        "summary": review.counts(),
        "anything_changed": review.anything_changed,
        "pictures": pictures,
    }
    return (json.dumps(facts, indent=1, sort_keys=True, allow_nan=False) + "\n").encode()


def terminal_lines(review: Review, page: Path) -> list[str]:
    """One line per picture that differs, then the total."""
    lines = []
    for status in STATUSES[:-1]:
        for picture in review.of(status):
            detail = picture.description() if status == "changed" else ""
            lines.append(f"{STATUS_WORDS[status]}: {picture.name}" + (f": {detail}" if detail else ""))
    lines.append(f"{review.summary()}; see {page}")
    return lines


def write_review(review: Review, output_folder: Path) -> dict[str, Path]:
    """Write review.html, review.md and review.json into `output_folder`; their paths, by name.
    review.md is appended to the file $GITHUB_STEP_SUMMARY names too, when it is set."""
    paths = {name: output_folder / name for name in REVIEW_FILES}
    markdown = review_markdown(review)
    write_atomically(paths["review.html"], review_html(review))
    write_atomically(paths["review.md"], markdown.encode())
    write_atomically(paths["review.json"], review_json(review))
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as file:
            file.write(markdown)
    return paths


def git(folder: Path, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *arguments], cwd=folder, capture_output=True, check=False)
    except FileNotFoundError:
        raise ReviewInputError("--rev needs git, which is not installed here.") from None


def specs_at_revision(spec_folder: Path, revision: str, destination: Path) -> str:
    """Write the spec files (<Name>.py) that `spec_folder` held at the git `revision` into
    `destination`, read with `git ls-tree` and `git show`; the commit's full hash."""
    if not spec_folder.is_dir() or git(spec_folder, "rev-parse", "--show-toplevel").returncode != 0:
        raise ReviewInputError(f"--rev {revision}: {spec_folder} is not in a git checkout.")
    # A revision starting with '-' would be read by git as an option.
    commit = git(spec_folder, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if revision.startswith("-") or commit.returncode != 0:
        raise ReviewInputError(f"--rev {revision}: git does not know this revision.")
    sha = commit.stdout.decode().strip()
    top = Path(git(spec_folder, "rev-parse", "--show-toplevel").stdout.decode().strip())
    prefix = git(spec_folder, "rev-parse", "--show-prefix").stdout.decode().strip()
    listing = git(top, "ls-tree", "-z", sha, *(["--", prefix] if prefix else []))
    destination.mkdir(parents=True, exist_ok=True)
    written = 0
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        mode_type_object, _, path = entry.partition(b"\t")
        mode, kind, _ = mode_type_object.decode().split(" ")
        name = os.fsdecode(path)
        # Files only (no symbolic links, no subfolders), as the build globs <folder>/*.py.
        if kind == "blob" and mode in ("100644", "100755") and name.endswith(".py"):
            shown = git(top, "show", f"{sha}:{name}")
            (destination / Path(name).name).write_bytes(shown.stdout)
            written += 1
    if not written:
        raise ReviewInputError(f"--rev {revision}: {spec_folder} held no spec files (<Name>.py) then.")
    return sha
