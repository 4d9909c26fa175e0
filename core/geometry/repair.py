"""Geometry helpers over shapely 2 arrays: parts of a given dimension, repair of invalid input."""

from dataclasses import dataclass

import numpy as np
import shapely

from .names import LINE, POINT, POLYGON

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


def intersect_one(geometries, other, tiles_across=4):
    """``intersection(geometries, other)`` where ``other`` is one large polygon (a coastline of
    thousands of vertices) and ``geometries`` many small ones: GEOS would go through all of
    ``other``'s vertices for each of them. See ``pieces_of``."""
    geometries = np.asarray(geometries, dtype=object)
    if len(geometries) == 0:
        return np.empty(0, dtype=object)
    pieces, index = pieces_of(other, geometries, tiles_across)
    return shapely.intersection(geometries, pieces[index])


def _z_order(columns, rows):
    """Morton codes: the bits of ``columns`` and ``rows`` (non-negative) interleaved, column first."""
    codes = np.zeros(len(columns), dtype=np.int64)
    for bit in range(31):
        codes |= ((columns >> bit) & 1) << (2 * bit) | ((rows >> bit) & 1) << (2 * bit + 1)
    return codes


def pieces_of(other, geometries, tiles_across=4):
    """``(pieces, index)``: ``other`` cut once into tiles (each a few of the ``geometries`` wide,
    plus a margin as wide as the largest geometry), and for each geometry the piece of the tile
    its box's centre falls in, which holds all of it: ``geometry ∩ other = geometry ∩
    pieces[index]``, with far fewer vertices to go through."""
    geometries = np.asarray(geometries, dtype=object)
    bounds = shapely.bounds(geometries)
    width, height = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
    margin = float(max(np.nanmax(width), np.nanmax(height)))
    size = tiles_across * margin
    if not np.isfinite(size) or size <= 0:
        return np.array([other], dtype=object), np.zeros(len(geometries), np.int64)
    x0, y0 = float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1]))
    column = np.floor(((bounds[:, 0] + bounds[:, 2]) / 2 - x0) / size).astype(np.int64)
    row = np.floor(((bounds[:, 1] + bounds[:, 3]) / 2 - y0) / size).astype(np.int64)
    tiles, index = np.unique(np.column_stack([column, row]), axis=0, return_inverse=True)
    index = index.ravel()
    # Tiles come from quartering blocks of tiles, each clipped from its block's piece: a few
    # vertices are gone through per tile, not all of ``other``'s for each. GEOS's rectangle
    # clipping takes one rectangle at a time. In Z order, a block's tiles are one run of them.
    codes = _z_order(tiles[:, 0], tiles[:, 1])
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    pieces = np.empty(len(tiles), dtype=object)

    def clip(piece, first_column, first_row, first_code, width, low, high):
        box = (x0 + first_column * size - margin, y0 + first_row * size - margin, x0 + (first_column + width) * size + margin,
               y0 + (first_row + width) * size + margin)
        piece = shapely.clip_by_rect(piece, *box)
        if width == 1:
            pieces[order[low:high]] = piece
            return
        half = width // 2
        quarter_codes = half * half
        quarters = [low, *(np.searchsorted(codes[low:high], [first_code + quarter_codes * step for step in (1, 2, 3)]) + low).tolist(), high]
        for quarter in range(4):
            if quarters[quarter] < quarters[quarter + 1]:
                clip(piece, first_column + half * (quarter & 1), first_row + half * (quarter >> 1), first_code + quarter * quarter_codes, half,
                     quarters[quarter], quarters[quarter + 1])

    width = 1 << int(max(tiles[:, 0].max(), tiles[:, 1].max())).bit_length()
    clip(other, 0, 0, 0, width, 0, len(tiles))
    return pieces, index
