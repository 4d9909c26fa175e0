"""Thematic features as a task receives them: shipped with the task, or read by the worker itself.

``Features`` holds features in memory; pickled (to travel to a Dask worker) its geometries become
one WKB array, which is much faster than pickling shapely objects one by one. ``LayerReference``
names a layer file the cluster can read itself (a file in a shared folder, a URL) and
``PostgisReference`` a PostGIS table; ``LayerSlice`` is the part of either that a chunk needs, read
on the worker with a bounding-box filter (with pyogrio or psycopg, which are never loaded inside
QGIS).
"""

from dataclasses import KW_ONLY, dataclass

import numpy as np
import pandas as pd
import shapely

from ..model.errors import InputError
from ..geometry.repair import repair


def geometries_to_wkb(geometries):
    """WKB of a geometry array, for pickling.

    The output dimension is explicit: inside QGIS, shapely may run on the GEOS QGIS loaded (its
    C symbols are global there), and GEOS before 3.12 rejects shapely 2.2's default of 4.
    """
    return shapely.to_wkb(geometries, output_dimension=3)


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
    """Features near one chunk: geometries (in the units CRS, valid), class codes, point weights,
    and keys that identify each feature across chunks (a feature near two chunks goes to both).

    ``wkb`` (optional) holds the same geometries as WKB already, as read from a file: the client
    then sends those bytes instead of encoding the geometries again for every chunk.
    """

    geometries: np.ndarray
    codes: np.ndarray
    weights: np.ndarray
    keys: np.ndarray
    wkb: np.ndarray = None

    def load(self):
        return self

    def __getstate__(self):
        state = dict(self.__dict__)
        state["geometries"] = geometries_to_wkb(self.geometries) if self.wkb is None else self.wkb
        state["wkb"] = None
        return state

    def __setstate__(self, state):
        state["geometries"] = shapely.from_wkb(state["geometries"])
        self.__dict__.update(state)


@dataclass
class _WorkerReadLayer:
    """What every layer the workers read themselves shares: the columns to read and how to code them.

    ``dimension`` (POINT, LINE, POLYGON) says how to repair geometries; ``class_codes`` maps each
    normalised class value to its code (computed once from the whole class column by the caller,
    so every chunk numbers classes alike).
    """

    _: KW_ONLY
    dimension: int = None
    class_column: str = None
    weight_column: str = None
    class_codes: dict = None

    @property
    def columns(self):
        return [name for name in (self.class_column, self.weight_column) if name]

    def features(self, keys, wkb, values):
        """``Features`` from what a worker read: row keys, WKB geometries and the class/weight columns."""
        geometries = shapely.from_wkb(wkb)
        present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
        repaired = repair(geometries[present], self.dimension)
        keys = np.asarray(keys, dtype=np.int64)[present]
        if self.class_column:
            codes = self._codes(np.asarray(values[self.class_column], dtype=object)[present])
        else:
            codes = np.zeros(len(keys), dtype=np.int64)
        if self.weight_column:
            weights = pd.to_numeric(pd.Series(np.asarray(values[self.weight_column], dtype=object)[present]), errors="coerce").to_numpy(float)
            weights = np.nan_to_num(weights, nan=0.0)
        else:
            weights = np.zeros(len(keys))
        return Features(repaired.geometries, codes, weights, keys)

    def _codes(self, values):
        # Each distinct value is looked up once (a land cover has a few classes for many features).
        raw_codes, distinct = pd.factorize(values, use_na_sentinel=False)
        codes = np.array([self.class_codes.get(normalise_class(value), -1) for value in distinct], dtype=np.int64)
        unknown = np.flatnonzero(codes < 0)
        if len(unknown):
            value = distinct[unknown[0]]
            raise InputError(
                "layer_changed",
                f"The class value {value!r} of {self.name} was not in the layer when the run started; the layer changed during the run.",
                path=self.name,
                value=str(value),
            )
        return codes[raw_codes]


@dataclass
class LayerReference(_WorkerReadLayer):
    """A vector layer the workers open themselves with pyogrio: a path as the cluster names it, or a URL.

    ``feature_count`` and ``modified`` (the file's modification time, seconds since the epoch)
    are the layer as QGIS read it: a worker that finds another copy there (a stale one on a
    mirror) stops with ``InputError('stale_copy')`` instead of computing on other data.
    """

    path: str
    layer: str
    feature_count: int = None
    modified: float = None
    # What the workers need to read it, checked before anything is submitted.
    worker_packages = {"pyogrio": "worker"}

    @property
    def name(self):
        return self.path

    def check_copy(self):
        """Raise ``InputError('stale_copy')`` when the file here is not the one QGIS read."""
        import os

        import pyogrio

        found = pyogrio.read_info(self.path, layer=self.layer, force_feature_count=True)["features"]
        modified = os.path.getmtime(self.path)
        same_count = self.feature_count is None or found == self.feature_count
        same_time = self.modified is None or abs(modified - self.modified) <= _SAME_TIME_SECONDS
        if not (same_count and same_time):
            raise InputError(
                "stale_copy", f"The workers' copy of {self.layer} at {self.path} has {found} features (modified {_when(modified)}), "
                f"QGIS's has {self.feature_count} (modified {_when(self.modified)}).",
                layer=self.layer, path=self.path, found=int(found), expected=self.feature_count, found_time=_when(modified), expected_time=_when(self.modified),
            )

    def read(self, bbox=None):
        """The features whose bounding box meets ``bbox`` (xmin, ymin, xmax, ymax), as ``Features``."""
        import pyogrio.raw  # worker side only: importing pyogrio inside QGIS crashes it at exit

        self.check_copy()
        columns = self.columns
        _meta, fids, wkb, values = pyogrio.raw.read(
            self.path, layer=self.layer, columns=columns, bbox=tuple(bbox) if bbox is not None else None, force_2d=True, return_fids=True
        )
        return self.features(fids, wkb, dict(zip(columns, values)))


# File systems keep modification times to the second or finer (FAT: two seconds).
_SAME_TIME_SECONDS = 2.0


def _when(timestamp):
    import datetime

    if timestamp is None:
        return "?"
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass
class PostgisReference(_WorkerReadLayer):
    """A PostGIS table the workers query themselves, by bounding box, with psycopg.

    ``connection`` is a libpq connection string as the workers must use it (host, port, dbname,
    user, and password or service); ``key_column`` an integer column that identifies each row;
    ``where`` an SQL condition on the table (a QGIS layer filter), or empty.
    """

    connection: str
    schema: str
    table: str
    geometry_column: str
    key_column: str
    where: str = ""
    worker_packages = {"psycopg": "worker"}

    @property
    def name(self):
        return f'"{self.schema}"."{self.table}"'

    def read(self, bbox=None):
        import psycopg  # worker side only, like pyogrio
        from psycopg import sql

        columns = self.columns
        geometry, table = sql.Identifier(self.geometry_column), sql.Identifier(self.schema, self.table)
        conditions = []
        if self.where:
            # The layer's own filter, in PostgreSQL's SQL as QGIS passes it on; kept a condition of
            # its own whatever operators it uses, and its % signs are not parameters.
            conditions.append(sql.SQL("(" + self.where.replace("%", "%%") + ")"))
        with psycopg.connect(self.connection, connect_timeout=30) as connection:
            parameters = ()
            if bbox is not None:
                # The table's SRID as stored (not every geometry column is registered with one).
                srid = connection.execute(sql.SQL("SELECT ST_SRID({g}) FROM {t} WHERE {g} IS NOT NULL LIMIT 1").format(g=geometry, t=table)).fetchone()
                conditions.append(sql.SQL("{g} && ST_MakeEnvelope(%s, %s, %s, %s, %s)").format(g=geometry))
                parameters = (*bbox, srid[0] if srid else 0)
            query = sql.SQL("SELECT {key}, ST_AsBinary(ST_Force2D({g})){columns} FROM {t}{where}").format(
                key=sql.Identifier(self.key_column),
                g=geometry,
                columns=sql.SQL("").join(sql.SQL(", ") + sql.Identifier(name) for name in columns),
                t=table,
                where=sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL(""),
            )
            rows = connection.execute(query, parameters).fetchall()
        keys = np.array([row[0] for row in rows], dtype=np.int64)
        wkb = np.array([None if row[1] is None else bytes(row[1]) for row in rows], dtype=object)
        values = {name: np.array([row[2 + position] for row in rows], dtype=object) for position, name in enumerate(columns)}
        return self.features(keys, wkb, values)


@dataclass
class LayerSlice:
    """The part of a ``LayerReference`` or ``PostgisReference`` one chunk needs."""

    reference: _WorkerReadLayer
    bbox: tuple

    def load(self):
        return self.reference.read(self.bbox)


def normalise_class(value):
    """A class value as a plain, hashable Python value: NULL/NaN → None, 3.0 → 3, numpy → Python."""
    if value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
