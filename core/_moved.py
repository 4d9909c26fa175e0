"""The core's old module paths (before it was grouped into model, geometry, sources, indicators and
execution), kept importable for one release: notebooks that ``from geoindicators.core.overlay import
Units`` keep working, with a ``DeprecationWarning`` naming the new path."""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

# Old module name → its new place, under the core package.
MOVED = {
    "names": "model.names", "errors": "model.errors", "fields": "model.naming",
    "arrays": "geometry.arrays", "measure": "geometry.metrics", "intersections": "geometry.intersections",
    "clipping": "geometry.clipping", "coverage": "geometry.coverage", "partition": "geometry.partition",
    "sources": "sources.vector", "rasters": "sources.raster",
    "overlay": "indicators.overlay", "zonal": "indicators.zonal", "distinct": "indicators.distinct",
    "dask_executor": "execution.dask_cluster", "config": "execution.config",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``<core>.overlay`` as a module holding the names of ``<core>.indicators.overlay``."""

    def __init__(self, core):
        self.core = core

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package == self.core and name in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return None  # a plain new module

    def exec_module(self, module):
        new_name = f"{self.core}.{MOVED[module.__name__.rpartition('.')[2]]}"
        warnings.warn(f"{module.__name__} moved to {new_name}; the old path will be removed.", DeprecationWarning, stacklevel=2)
        new = importlib.import_module(new_name)
        module.__dict__.update({key: value for key, value in vars(new).items() if not key.startswith("__")})


def install(core):
    if not any(isinstance(finder, _MovedModules) and finder.core == core for finder in sys.meta_path):
        sys.meta_path.append(_MovedModules(core))
