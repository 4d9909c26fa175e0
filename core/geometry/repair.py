"""Geometry helpers over shapely 2 arrays: parts of a given dimension, repair of invalid input."""

from dataclasses import dataclass

import numpy as np
import shapely

from ..model.names import LINE, POINT, POLYGON

_TYPE_DIMENSION = {
    shapely.GeometryType.POINT: POINT,
    shapely.GeometryType.MULTIPOINT: POINT,
    shapely.GeometryType.LINESTRING: LINE,
    shapely.GeometryType.LINEARRING: LINE,
    shapely.GeometryType.MULTILINESTRING: LINE,
    shapely.GeometryType.POLYGON: POLYGON,
    shapely.GeometryType.MULTIPOLYGON: POLYGON,
}


def simple_parts(geometries, dimension):
    """Explode (multi)geometries and collections, nested or not, into simple parts of one dimension.

    Returns ``(parts, owner)`` where ``owner[k]`` is the position in ``geometries`` that part ``k``
    came from. An intersection can return a collection mixing polygons with the lines and points
    where the operands only touch: only the parts of the wanted dimension carry a measure.
    """
    geometries = np.asarray(geometries, dtype=object)
    owner = np.arange(len(geometries))
    parts = geometries
    while True:
        type_ids = shapely.get_type_id(parts)
        nested = (type_ids >= shapely.GeometryType.MULTIPOINT.value) & (
            type_ids <= shapely.GeometryType.GEOMETRYCOLLECTION.value
        )
        if not nested.any():
            break
        exploded, index = shapely.get_parts(parts[nested], return_index=True)
        owner = np.concatenate([owner[~nested], owner[nested][index]])
        parts = np.concatenate([parts[~nested], exploded])
    if len(parts) == 0:
        return parts, owner
    type_ids = shapely.get_type_id(parts)
    wanted = {
        POINT: [shapely.GeometryType.POINT.value],
        LINE: [shapely.GeometryType.LINESTRING.value, shapely.GeometryType.LINEARRING.value],
        POLYGON: [shapely.GeometryType.POLYGON.value],
    }[dimension]
    keep = np.isin(type_ids, wanted) & ~shapely.is_empty(parts)
    order = np.argsort(owner[keep], kind="stable")
    return parts[keep][order], owner[keep][order]


def dimension_of(geometries):
    """The one topological dimension of a layer's geometries (POINT, LINE or POLYGON).

    Mixed layers (a GeoPackage table can hold points and polygons) have no single measure, so they
    raise ``ValueError``; empty and missing geometries are ignored.
    """
    present = geometries[~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)]
    dimensions = {_TYPE_DIMENSION.get(shapely.GeometryType(t)) for t in np.unique(shapely.get_type_id(present))}
    if None in dimensions or len(dimensions) > 1:
        raise ValueError("mixed geometry dimensions")
    return dimensions.pop() if dimensions else None


@dataclass
class Repair:
    """Geometries made valid, how many needed it, and which (``changed``, None when none did)."""

    geometries: np.ndarray
    repaired: int
    changed: np.ndarray = None


def repair(geometries, dimension):
    """Make invalid geometries valid, keeping only the parts of the layer's own dimension.

    GEOS ``make_valid`` keeps every vertex; a self-touching polygon may come back as a collection
    with a dangling line, which carries no area, so only parts of ``dimension`` are kept.
    """
    geometries = np.asarray(geometries, dtype=object)
    present = ~shapely.is_missing(geometries)
    invalid = present & ~shapely.is_valid(geometries)
    count = int(invalid.sum())
    if count == 0:
        return Repair(geometries, 0)
    fixed = shapely.make_valid(geometries[invalid])
    parts, owner = simple_parts(fixed, dimension)
    rebuilt = np.full(len(fixed), None, dtype=object)
    collect = {POINT: shapely.multipoints, LINE: shapely.multilinestrings, POLYGON: shapely.multipolygons}[dimension]
    if len(parts):
        collect(parts, indices=owner, out=rebuilt)
    empty = shapely.from_wkt({POINT: "POINT EMPTY", LINE: "LINESTRING EMPTY", POLYGON: "POLYGON EMPTY"}[dimension])
    rebuilt[shapely.is_missing(rebuilt)] = empty
    out = geometries.copy()
    out[invalid] = rebuilt
    return Repair(out, count, invalid)


def dissolve(geometries, groups, count):
    """The union of the polygons of each group (``groups``: a group number per geometry, from 0 to
    ``count`` - 1), as multipolygons; a group with nothing gets an empty polygon."""
    geometries = np.asarray(geometries, dtype=object)
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    collections = np.full(count, None, dtype=object)
    present = ~shapely.is_missing(geometries[order]) & ~shapely.is_empty(geometries[order])
    shapely.geometrycollections(geometries[order][present], indices=groups[order][present], out=collections)
    unions = shapely.lib.unary_union(collections)
    parts, owner = simple_parts(unions, POLYGON)
    out = np.full(count, None, dtype=object)
    if len(parts):
        shapely.multipolygons(parts, indices=owner, out=out)
    out[shapely.is_missing(out)] = shapely.from_wkt("POLYGON EMPTY")
    return out
