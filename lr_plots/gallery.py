"""The gallery of every picture: an HTML page (a Jinja2 template, everything from specs escaped) and
one contact sheet PNG for reviewing a change at a glance."""

import io
import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image

from lr_plots.atomic_file import write_atomically
from lr_plots.curve_files import read_metadata

TEMPLATES = Path(__file__).parent / "templates"
THUMBNAIL_WIDTH = 320  # half the width of a default picture; wider pictures are shrunk by whole factors
SHEET_COLUMNS = 4
# zlib's level 3, as for the pictures (drawing.py, which imports matplotlib): faster than the default
# level 6 for a few more bytes (the Performance page has the figures).
PNG_COMPRESSION = 3


def gallery_html(summaries: dict[str, str], output_folder: Path, picture_format: str) -> bytes:
    """The page listing every picture with its name, its spec's summary and arguments, and links to
    its files, then the comparisons with links to the pictures they overlay; `summaries` maps each
    picture's name to the first line of its spec's docstring."""
    pictures = []
    for name, summary in summaries.items():
        metadata = read_metadata(output_folder / f"{name}.json")
        pictures.append(
            {
                **metadata,
                "name": name,
                "summary": summary,
                "file": f"{name}.{picture_format}",
                "csv": f"{name}.csv",
            }
        )
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))
    return (
        environment.get_template("index.html.j2")
        .render(
            pictures=[picture for picture in pictures if "members" not in picture],
            comparisons=[picture for picture in pictures if "members" in picture],
        )
        .encode()
    )


def contact_sheet(pictures: list[Path]) -> bytes:
    """Every PNG in `pictures`, shrunk to about THUMBNAIL_WIDTH, in a grid of SHEET_COLUMNS columns.
    Each picture is pasted as soon as it is shrunk, so memory holds the sheet and one picture."""
    sizes = []
    for path in pictures:
        with Image.open(path) as picture:  # reads the header only
            factor = max(1, picture.width // THUMBNAIL_WIDTH)
            sizes.append((-(-picture.width // factor), -(-picture.height // factor), factor))
    cell_width = max((width for width, _, _ in sizes), default=THUMBNAIL_WIDTH)
    cell_height = max((height for _, height, _ in sizes), default=THUMBNAIL_WIDTH * 3 // 4)
    rows = max(1, math.ceil(len(pictures) / SHEET_COLUMNS))
    sheet = Image.new("RGB", (SHEET_COLUMNS * cell_width, rows * cell_height), "white")
    for index, (path, (_, _, factor)) in enumerate(zip(pictures, sizes, strict=True)):
        row, column = divmod(index, SHEET_COLUMNS)
        with Image.open(path) as picture:
            # reduce() averages whole blocks of pixels: fast, and exact on every machine.
            sheet.paste(picture.convert("RGB").reduce(factor), (column * cell_width, row * cell_height))
    png = io.BytesIO()
    sheet.save(png, format="png", compress_level=PNG_COMPRESSION)
    return png.getvalue()


def write_gallery(output_folder: str, summaries: dict[str, str], picture_format: str) -> None:
    """Write index.html, and overview.png when the pictures are PNGs, into `output_folder`."""
    folder = Path(output_folder)
    write_atomically(folder / "index.html", gallery_html(summaries, folder, picture_format))
    if picture_format == "png":
        pictures = [folder / f"{name}.png" for name in summaries]
        write_atomically(folder / "overview.png", contact_sheet(pictures))
