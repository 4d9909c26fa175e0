"""What every indicator's result shares: units of measure and parent levels in its tables.

Units of measure: areas and lengths are computed in square metres and metres (or the planar CRS's
own units); ``UnitScale`` converts the quantities that measure an area or a length when tables are
made, as ``value × multiplier / divisor`` so that hectares are exactly square metres / 10 000.

Levels: a long table holds the units' rows, then each parent level's rows, with ``level`` (the
unit ID field's name for the units, the level's field name above), ``parent`` (the ID of the next
level up, NULL at the top) and ``pct_parent`` (the share of the parent's value for the same keys).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .levels import parent_shares
from .quantities import AREA, LENGTH

# (multiplier, divisor) from square metres and metres.
AREA_UNITS = {"m²": 1.0, "ha": 10_000.0, "km²": 1_000_000.0}
LENGTH_UNITS = {"m": 1.0, "km": 1_000.0}


@dataclass(frozen=True)
class UnitScale:
    """How areas and lengths are given: ``area_unit`` (m², ha, km²) and ``length_unit`` (m, km);
    ``metres`` is the length of the data's unit in metres (1 on an ellipsoid or in a CRS in
    metres, 0.3048 in feet), so a planar CRS in feet still gives hectares."""

    area_unit: str = "m²"
    length_unit: str = "m"
    metres: float = 1.0

    def __post_init__(self):
        if self.area_unit not in AREA_UNITS or self.length_unit not in LENGTH_UNITS:
            raise ValueError(f"area unit among {list(AREA_UNITS)}, length unit among {list(LENGTH_UNITS)}")

    @property
    def identity(self):
        return self.area_unit == "m²" and self.length_unit == "m" and self.metres == 1.0

    def apply(self, values, measures):
        """``values`` of a quantity that ``measures`` AREA or LENGTH (others are returned as given)."""
        if measures == AREA and (self.area_unit != "m²" or self.metres != 1.0):
            return np.asarray(values, dtype=float) * (self.metres * self.metres) / AREA_UNITS[self.area_unit]
        if measures == LENGTH and (self.length_unit != "m" or self.metres != 1.0):
            return np.asarray(values, dtype=float) * self.metres / LENGTH_UNITS[self.length_unit]
        return values



def scale_columns(frame, measures_of, scale):
    """Convert, in place, the columns of ``frame`` whose quantity measures an area or a length
    (``measures_of(column)`` gives what a column measures, None for others)."""
    if scale is None or scale.identity:
        return frame
    for column in frame.columns:
        measures = measures_of(column)
        if measures in (AREA, LENGTH):
            frame[column] = scale.apply(frame[column].to_numpy(dtype=float), measures)
    return frame


def long_with_levels(unit_rows, level_rows, hierarchy, unit_ids, id_column, keys, share_of):
    """The long table of every level: ``unit_rows`` (column ``unit``: unit positions; then
    ``keys`` and the values) and ``level_rows[k]`` (column ``unit``: positions among level k's
    parents) become rows with ``id_column``, ``level``, ``parent``, the keys, the values and
    ``pct_parent`` (the share of the parent's ``share_of`` for the same keys)."""
    tables = []
    levels = hierarchy.levels
    for depth, rows in enumerate([unit_rows, *level_rows]):
        rows = rows.reset_index(drop=True)
        positions = rows["unit"].to_numpy(dtype=np.int64)
        if depth == 0:
            ids, name = unit_ids[positions], id_column
            up = levels[0].of_unit[positions]
            parent = levels[0].ids[up]
        else:
            level = levels[depth - 1]
            ids, name = level.ids[positions], level.name
            parent = level.parent_ids[positions]
            # Positions among the next level's parents; none above the top level.
            up = pd.Index(levels[depth].ids).get_indexer(parent) if depth < len(levels) else None
        out = pd.DataFrame({id_column: ids, "level": name, "parent": parent})
        for column in rows.columns:
            if column != "unit":
                out[column] = rows[column].to_numpy()
        if share_of is not None:
            out["pct_parent"] = parent_shares(rows, keys, share_of, level_rows[depth], up) if up is not None else np.nan
        tables.append(out)
    return pd.concat(tables, ignore_index=True)


def spread(rows, key, value, row_count, key_values, fill=0.0):
    """A ``(row_count, len(key_values))`` array of ``rows[value]`` placed at each row's ``unit``
    and at its ``key``'s position among ``key_values``; ``fill`` where a unit has no row of a key.

    The wide layout's shaping, in one pass whatever the number of classes: a filter per class over
    every row took over 15 minutes for a float raster of 100 000 values used as classes."""
    out = np.full((row_count, len(key_values)), fill, dtype=float)
    if len(rows):
        positions = pd.Index(list(key_values)).get_indexer(rows[key].to_numpy())
        out[rows["unit"].to_numpy(dtype=np.int64), positions] = rows[value].to_numpy(dtype=float)
    return out


def wide_parent_shares(unit_rows, level_rows, hierarchy, keys, share_of, unit_count, key_values):
    """For the wide layout: ``{key value: the share (%) of its parent's value each unit holds}``,
    one array per value of the (single) key column, 0 where a unit has none of it."""
    level = hierarchy.levels[0]
    mine = spread(unit_rows, keys[0], share_of, unit_count, key_values)
    whole = spread(level_rows[0], keys[0], share_of, len(level.ids), key_values)[level.of_unit]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(whole > 0, np.minimum(100.0 * mine / whole, 100.0), np.nan)
    return {value: shares[:, position] for position, value in enumerate(key_values)}
