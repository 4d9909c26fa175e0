"""Spatial units: what every indicator measures over (communes, watersheds, grid cells, H3 cells).

``Units`` is what a caller gives: one identifier and one (multi)polygon per unit. ``prepare_units``
checks the identifiers (present, unique), the geometries (polygons only) and repairs invalid ones,
once, for whichever indicator then runs.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from ..geometry.repair import POLYGON, repair
from .errors import InputError
from .levels import Hierarchy, prepare_levels
from .notes import Note, Notes

# How many identifiers a message or a note shows.
EXAMPLES = 5


@dataclass
class Units:
    """Spatial units: an identifier and a (multi)polygon each."""

    ids: object
    geometries: object
    # Parent levels (``levels.Levels``), nearest first: communes in provinces in a country.
    levels: object = None

    def __post_init__(self):
        id_count, geometry_count = len(self.ids), len(self.geometries)
        if id_count != geometry_count:
            raise InputError(
                "units_length", f"The units have {id_count} identifiers and {geometry_count} geometries: give one of each per unit.",
                ids=id_count, geometries=geometry_count,
            )


@dataclass
class PreparedUnits:
    """Units checked and repaired: ``geometries`` valid polygons (empty where a unit has none),
    ``present`` which units have a geometry, and the ``notes`` (repaired, without geometry)."""

    ids: np.ndarray
    geometries: np.ndarray
    present: np.ndarray
    notes: Notes
    hierarchy: Hierarchy = field(default_factory=Hierarchy)

    def __len__(self):
        return len(self.ids)

    def label(self, positions):
        """How a chunk of units is named in messages: its first identifiers and its size."""
        return chunk_label(self.ids[positions])


def prepare_units(units):
    """``PreparedUnits`` from ``Units``, or an ``InputError`` (NULL or duplicate identifiers,
    geometries that are not polygons)."""
    ids = np.asarray(units.ids, dtype=object)
    check_unit_ids(ids)
    geometries = np.asarray(units.geometries, dtype=object)
    present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    # A layer of generic geometry type may mix polygons with other geometries.
    polygonal = np.isin(shapely.get_type_id(geometries), [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    others = np.flatnonzero(present & ~polygonal)
    if len(others):
        examples = [str(value) for value in ids[others][:EXAMPLES]]
        raise InputError(
            "units_not_polygons", f"The units must be polygons: {len(others)} are not, for example {', '.join(examples)}.",
            count=len(others), examples=examples,
        )
    repaired = repair(geometries, POLYGON)
    out = repaired.geometries
    out[~present] = shapely.from_wkt("POLYGON EMPTY")
    notes = Notes()
    notes.add(Note("repaired", "units", repaired.repaired))
    notes.add(Note("without_geometry", "units", int((~present).sum()), _examples(ids[~present])))
    return PreparedUnits(ids, out, present, notes, prepare_levels(units.levels, ids))


def check_unit_ids(ids):
    """Unit identifiers must be present and unique: they are the key of every output row."""
    missing = np.array([value is None or (isinstance(value, float) and np.isnan(value)) for value in ids], dtype=bool)
    if missing.any():
        raise InputError(
            "null_ids",
            f"{int(missing.sum())} units have no identifier (NULL), for example units number {', '.join(str(p + 1) for p in np.flatnonzero(missing)[:EXAMPLES])}.",
            count=int(missing.sum()),
            examples=[int(p) + 1 for p in np.flatnonzero(missing)[:EXAMPLES]],
        )
    counts = pd.Series(ids).value_counts()
    duplicated = counts[counts > 1]
    if len(duplicated):
        examples = [str(value) for value in duplicated.index[:EXAMPLES]]
        raise InputError(
            "duplicate_ids",
            f"{len(duplicated)} unit identifiers are used more than once, for example {', '.join(examples)}.",
            count=len(duplicated),
            examples=examples,
        )


def chunk_label(ids):
    """How a chunk is named in error messages: its first unit IDs and its size."""
    shown = ", ".join(str(value) for value in ids[:EXAMPLES])
    return f"{shown}, … ({len(ids)} units)" if len(ids) > EXAMPLES else shown


def _examples(values):
    return [value.item() if hasattr(value, "item") else value for value in values[:EXAMPLES]]
