"""The clean action of orphans: generated files that no task builds any more."""

from lr_plots.discovery import orphaned_outputs


def remove_orphans(output_folder: str, targets: list[str]) -> None:
    """Remove the generated files in `output_folder` that are none of `targets`, looked for only
    when `doit clean` runs; it prints what it removes."""
    for path in orphaned_outputs(output_folder, targets):
        print(f"removing orphaned file '{path}'")
        path.unlink(missing_ok=True)
