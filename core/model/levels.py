"""Levels of units: communes grouped into provinces, provinces into a country.

``Levels`` gives, for each level from the nearest parent up, its name (the field the values come
from) and each unit's value at that level. ``prepare_levels`` checks them: no unit without a
parent (NULL), and each parent in one grandparent only (a province in two countries cannot be
placed). A parent may be in several pieces: its units need not touch.

Indicators report every level as if they had been run on the parents themselves (the units
dissolved by the level's field): areas, lengths, counts and sums add up; counts of distinct
features count each feature once per parent; shares are recomputed from the sums.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError

EXAMPLES = 5


@dataclass
class Levels:
    """``names[k]`` and ``parents[k]`` (one value per unit) for each parent level, nearest first."""

    names: list
    parents: list

    def __post_init__(self):
        if len(self.names) != len(self.parents):
            raise InputError("levels_length", f"{len(self.names)} level names for {len(self.parents)} levels of values.")


@dataclass
class Level:
    """One parent level, ready to aggregate: ``name``, ``ids`` (its parents, in order), ``of_unit``
    (each unit's parent, a position in ``ids``) and ``parent_ids`` (each parent's own parent at
    the next level, None at the top)."""

    name: str
    ids: np.ndarray
    of_unit: np.ndarray
    parent_ids: np.ndarray = None


@dataclass
class Hierarchy:
    """The checked levels of a run (empty: no levels), and each unit's parent at the first level."""

    levels: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.levels)



def prepare_levels(levels, unit_ids):
    """A ``Hierarchy`` from ``Levels`` (None: no levels), or an ``InputError``: a NULL value
    (``null_parent``, naming the level and example units), a value in two parents at the next
    level (``two_parents``), a level named like another (``level_twice``)."""
    if levels is None or not levels.names:
        return Hierarchy()
    unit_ids = np.asarray(unit_ids, dtype=object)
    names = list(levels.names)
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError("level_twice", f"The level {twice[0]} is given twice.", level=twice[0])
    values = []
    for name, parents in zip(names, levels.parents):
        parents = np.asarray(parents, dtype=object)
        if len(parents) != len(unit_ids):
            raise InputError("levels_length", f"The level {name} has {len(parents)} values for {len(unit_ids)} units.", level=name)
        missing = np.array([value is None or (isinstance(value, float) and np.isnan(value)) for value in parents], dtype=bool)
        if missing.any():
            examples = [str(value) for value in unit_ids[missing][:EXAMPLES]]
            raise InputError("null_parent", f"{int(missing.sum())} units have no value for the level {name} (NULL), for example {', '.join(examples)}.",
                             level=name, count=int(missing.sum()), examples=examples)
        values.append(parents)
    built = []
    for position, (name, parents) in enumerate(zip(names, values)):
        codes, ids = pd.factorize(pd.Series(parents, dtype=object), sort=True)
        built.append(Level(name, np.asarray(ids, dtype=object), codes.astype(np.int64)))
    for position, level in enumerate(built[:-1]):
        above = values[position + 1]
        pairs = pd.DataFrame({"parent": level.of_unit, "above": pd.Series(above, dtype=object)}).drop_duplicates()
        counts = pairs.groupby("parent").size()
        split = counts[counts > 1]
        if len(split):
            examples = [str(level.ids[parent]) for parent in split.index[:EXAMPLES]]
            raise InputError("two_parents", f"{len(split)} values of the level {level.name} have units in several values of {built[position + 1].name}, "
                             f"for example {', '.join(examples)}.", level=level.name, above=built[position + 1].name, count=len(split), examples=examples)
        parent_ids = np.empty(len(level.ids), dtype=object)
        parent_ids[pairs["parent"].to_numpy()] = pairs["above"].to_numpy()
        level.parent_ids = parent_ids
    built[-1].parent_ids = np.full(len(built[-1].ids), None, dtype=object)
    return Hierarchy(built)


def percent(part, whole):
    """``100 × part / whole``, NaN where ``whole`` is 0; capped at 100 (a unit's share of its
    parent measured on an ellipsoid can exceed the whole by rounding)."""
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, np.minimum(100.0 * part / whole, 100.0), np.nan)


def parent_shares(table, key_columns, value_column, parent_table, parent_of_row):
    """The share (%) of each row's parent value (same keys) the row holds: ``parent_of_row`` gives
    each row's parent position; ``parent_table`` has a ``unit`` column with those positions."""
    lookup = parent_table.set_index(["unit", *key_columns])[value_column]
    index = pd.MultiIndex.from_arrays([parent_of_row, *(table[column].to_numpy() for column in key_columns)])
    whole = lookup.reindex(index).to_numpy(dtype=float)
    return percent(table[value_column].to_numpy(dtype=float), whole)
