"""Build one learning-rate picture per spec module in lr_plots/specs: `doit list --all` names them.

The tasks are defined in lr_plots/tasks.py, where `lr-plots` and the Sphinx extension find them too;
a spec's picture is changed in its file in lr_plots/specs/, every picture's look in lr_plots/drawing.py.
"""

from lr_plots.tasks import *  # noqa: F403  (DOIT_CONFIG and the task_* creators)
