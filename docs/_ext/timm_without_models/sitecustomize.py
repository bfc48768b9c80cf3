"""On PYTHONPATH for the docs' build of examples/timm only (docs/_ext/spec_gallery.py puts it there).

`import timm` runs timm/__init__.py, which imports timm's models and so torchvision, and PyPI's
torchvision does not load beside the CPU build of torch (constraints.txt); timm.scheduler needs
neither. So timm/__init__.py runs as usual and, only if it fails, timm is left a bare package of the
installed folder, whose submodules (timm.scheduler) import as usual, as tests/test_ecosystem.py does
in its own process. Where timm imports, nothing changes."""

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any


class TimmWithoutModels(importlib.abc.MetaPathFinder):
    """Finds timm where it is installed, loaded by BarePackageIfItFails."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "timm":
            return None
        sys.meta_path.remove(self)  # once: any later import of timm goes as usual
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = BarePackageIfItFails(spec.loader)
        return spec


class BarePackageIfItFails(importlib.abc.Loader):
    """timm's own loader; if timm/__init__.py fails, timm stays imported as the bare package."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        module: types.ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        try:
            self.loader.exec_module(module)
        except (ImportError, RuntimeError):
            # What the failed import left half made, but the package itself.
            half_made = [name for name in sys.modules if name.split(".")[0] in ("timm", "torchvision")]
            for name in half_made:
                if name != "timm":
                    del sys.modules[name]


sys.meta_path.insert(0, TimmWithoutModels())
