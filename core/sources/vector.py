"""Vector layers the workers read themselves, instead of receiving their features with the tasks.

``LayerReference`` names a layer file the cluster can read (a file in a shared folder, a URL) and
``PostgisReference`` a PostGIS table; ``LayerSlice`` is the part of either that a chunk needs, read
on the worker with a bounding-box filter (with pyogrio or psycopg, which are never loaded inside
QGIS) into ``payloads.Features`` with the same typed columns the client would have sent.
"""

from dataclasses import KW_ONLY, dataclass, field

import numpy as np
import shapely

from ..execution.resume import content_keys, feature_digests
from ..geometry.repair import repair
from ..model.errors import InputError
from .columns import coded
from .payloads import Features


@dataclass
class _WorkerReadLayer:
    """What every layer the workers read themselves shares: the columns to read and how to code them.

    ``dimension`` (POINT, LINE, POLYGON) says how to repair geometries; ``columns`` maps the names
    the indicator gives its columns to ``ColumnSpec`` (the layer's field, its kind, and for a
    category the codes the client computed once from the whole layer, so every chunk numbers
    classes alike).
    """

    _: KW_ONLY
    dimension: int = None
    columns: dict = field(default_factory=dict)

    @property
    def fields(self):
        """The layer's fields to read, each once."""
        return list(dict.fromkeys(spec.field for spec in self.columns.values()))

    def features(self, keys, wkb, values):
        """``Features`` from what a worker read: row keys, WKB geometries and the fields' values."""
        geometries = shapely.from_wkb(wkb)
        present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
        repaired = repair(geometries[present], self.dimension)
        keys = np.asarray(keys, dtype=np.int64)[present]
        columns = {name: coded(spec, np.asarray(values[spec.field], dtype=object)[present], self.name) for name, spec in self.columns.items()}
        return Features(repaired.geometries, keys, columns)


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
        meta, fids, wkb, values = pyogrio.raw.read(
            self.path, layer=self.layer, columns=self.fields, bbox=tuple(bbox) if bbox is not None else None, force_2d=True, return_fids=True
        )
        # pyogrio gives the fields in the layer's order, not in the order asked for.
        return self.features(fids, wkb, dict(zip(meta["fields"], values)))


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

        fields = self.fields
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
                columns=sql.SQL("").join(sql.SQL(", ") + sql.Identifier(name) for name in fields),
                t=table,
                where=sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL(""),
            )
            rows = connection.execute(query, parameters).fetchall()
        keys = np.array([row[0] for row in rows], dtype=np.int64)
        wkb = np.array([None if row[1] is None else bytes(row[1]) for row in rows], dtype=object)
        values = {name: np.array([row[2 + position] for row in rows], dtype=object) for position, name in enumerate(fields)}
        return self.features(keys, wkb, values)


@dataclass
class LayerSlice:
    """The part of a ``LayerReference`` or ``PostgisReference`` one chunk needs. With
    ``content_labels`` (column → labels of its codes), features are keyed by their content
    (``execution.resume.content_keys``) instead of their row, as parts kept between runs need."""

    reference: _WorkerReadLayer
    bbox: tuple
    content_labels: dict = None

    def load(self):
        features = self.reference.read(self.bbox)
        if self.content_labels is not None:
            features.keys = content_keys(feature_digests(features.geometries, features.columns, self.content_labels))
        return features
