"""The actions of lr_plots' tasks, one module per kind of task: each imports only what its kind needs,
so the code a task depends on is what its module reaches (lr_plots.code_dependencies)."""
