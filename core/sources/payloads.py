"""What a task carries: a chunk of units and the features near it, pickled compactly.

Pickled (to travel to a Dask worker) geometries become one WKB array, which is much faster than
pickling shapely objects one by one.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely

from ..geometry.wkb import geometries_to_wkb


@dataclass
class UnitChunk:
    """One chunk of units: their geometries and their positions in the whole units layer."""

    geometries: np.ndarray
    positions: np.ndarray

    def __getstate__(self):
        return {"geometries": geometries_to_wkb(self.geometries), "positions": self.positions}

    def __setstate__(self, state):
        self.geometries = shapely.from_wkb(state["geometries"])
        self.positions = state["positions"]


@dataclass
class Features:
    """Features near one chunk: geometries (in the units CRS, valid), keys that identify each
    feature across chunks (a feature near two chunks goes to both), and ``columns``: one array per
    column the indicator asked for, by the name it gave (category codes, or numbers with NaN).

    ``wkb`` (optional) holds the same geometries as WKB already, as read from a file: the client
    then sends those bytes instead of encoding the geometries again for every chunk. ``digests``
    (optional) are the features' content digests when the client has them already (resumable runs).
    """

    geometries: np.ndarray
    keys: np.ndarray
    columns: dict = field(default_factory=dict)
    wkb: np.ndarray = None
    digests: np.ndarray = None

    def load(self):
        return self

    def column(self, name, default=0):
        """The column ``name``, or ``default`` for every feature when it was not asked for."""
        if name in self.columns:
            return self.columns[name]
        return np.full(len(self.keys), default, dtype=np.int64 if isinstance(default, int) else float)

    def take(self, positions):
        """The features at ``positions``."""
        wkb = None if self.wkb is None else self.wkb[positions]
        digests = None if self.digests is None else self.digests[positions]
        return Features(self.geometries[positions], self.keys[positions], {name: values[positions] for name, values in self.columns.items()}, wkb, digests)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["geometries"] = geometries_to_wkb(self.geometries) if self.wkb is None else self.wkb
        state["wkb"] = None
        return state

    def __setstate__(self, state):
        state["geometries"] = shapely.from_wkb(state["geometries"])
        self.__dict__.update(state)
