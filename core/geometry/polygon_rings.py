"""Polygon rings as flat coordinate arrays, and their planar measures.

Every engine of this package works on rings laid out the same way (``Rings``: the coordinates of
every ring one after the other, each ring's start in ``offsets``, its polygon in ``owner``, shells
told from holes by ``exterior``): read from shapely once, measured by one shoelace.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from .arrays import group_sums

_POLYGONAL = (shapely.GeometryType.POLYGON.value, shapely.GeometryType.MULTIPOLYGON.value)


@dataclass
class Rings:
    """The rings of polygons, not closed: ring ``r`` is ``coordinates[offsets[r]:offsets[r + 1]]``.

    It belongs to geometry ``owner[r]`` (of ``geometry_count``); ``exterior[r]`` tells an exterior
    ring from a hole.
    """

    coordinates: np.ndarray
    offsets: np.ndarray
    owner: np.ndarray
    exterior: np.ndarray
    geometry_count: int

    def vertex_counts(self):
        return np.bincount(self.owner, weights=np.diff(self.offsets), minlength=self.geometry_count).astype(np.int64)


def polygonal(geometries):
    """True for polygons and multipolygons, the geometries ``rings`` can take."""
    return np.isin(shapely.get_type_id(geometries), _POLYGONAL)


def rings(geometries):
    """The ``Rings`` of polygons and multipolygons (read in one pass, without making part objects)."""
    geometries = np.asarray(geometries, dtype=object)
    count = len(geometries)
    if count == 0 or shapely.is_empty(geometries).all():
        return Rings(np.zeros((0, 2)), np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0, bool), count)
    kind, coordinates, offsets = shapely.to_ragged_array(geometries)
    if kind == shapely.GeometryType.POLYGON:
        ring_offsets, polygon_offsets = offsets
        geometry_offsets = np.arange(count + 1)
    else:
        ring_offsets, polygon_offsets, geometry_offsets = offsets
    rings_per_polygon = np.diff(polygon_offsets)
    polygon_owner = np.repeat(np.arange(count), np.diff(geometry_offsets))
    ring_polygon = np.repeat(np.arange(len(rings_per_polygon)), rings_per_polygon)
    exterior = np.arange(len(ring_polygon)) == polygon_offsets[:-1][ring_polygon]
    # Drop each ring's closing vertex.
    ring_lengths = np.diff(ring_offsets)
    closing = ring_offsets[1:][ring_lengths > 0] - 1
    keep = np.ones(len(coordinates), bool)
    keep[closing] = False
    open_offsets = np.r_[0, np.cumsum(np.maximum(ring_lengths - 1, 0))]
    return Rings(coordinates[keep][:, :2], open_offsets, polygon_owner[ring_polygon], exterior, count)


def select(ring_set, geometries):
    """The ``Rings`` of the geometries at positions ``geometries`` only, numbered 0, 1…"""
    renumber = np.full(ring_set.geometry_count, -1, np.int64)
    renumber[geometries] = np.arange(len(geometries))
    kept = renumber[ring_set.owner] >= 0
    lengths = np.diff(ring_set.offsets)
    coordinates = ring_set.coordinates[np.repeat(kept, lengths)]
    return Rings(coordinates, np.r_[0, np.cumsum(lengths[kept])], renumber[ring_set.owner[kept]], ring_set.exterior[kept], len(geometries))


def ring_boxes(ring_set):
    """(xmin, ymin, xmax, ymax) of each geometry of the rings."""
    vertex_owner = np.repeat(ring_set.owner, np.diff(ring_set.offsets))
    boxes = np.empty((ring_set.geometry_count, 4))
    boxes[:, :2], boxes[:, 2:] = np.inf, -np.inf
    if len(vertex_owner):
        np.minimum.at(boxes[:, 0], vertex_owner, ring_set.coordinates[:, 0])
        np.minimum.at(boxes[:, 1], vertex_owner, ring_set.coordinates[:, 1])
        np.maximum.at(boxes[:, 2], vertex_owner, ring_set.coordinates[:, 0])
        np.maximum.at(boxes[:, 3], vertex_owner, ring_set.coordinates[:, 1])
    return boxes


def planar_ring_areas(coordinates, offsets):
    return np.abs(shoelace(coordinates, offsets))


def shoelace(coordinates, offsets):
    """Signed planar area of each ring (counter-clockwise positive), closed or not: ring ``i`` is
    ``coordinates[offsets[i]:offsets[i + 1]]``."""
    offsets = np.asarray(offsets)
    count = len(offsets) - 1
    return vertex_shoelace(coordinates, np.repeat(np.arange(count), np.diff(offsets)), count)


def next_vertices(vertex_ring, ring_count):
    """Position of the next vertex of the same ring, wrapping at the ring's end (vertices grouped by ring)."""
    following = np.arange(1, len(vertex_ring) + 1)
    if len(vertex_ring) == 0:
        return following
    last = np.flatnonzero(np.r_[vertex_ring[1:] != vertex_ring[:-1], True])
    first = np.r_[0, last[:-1] + 1]
    following[last] = first
    return following


def vertex_shoelace(points, vertex_ring, ring_count):
    """Signed area of each ring (counter-clockwise positive)."""
    if len(points) == 0:
        return np.zeros(ring_count)
    following = next_vertices(vertex_ring, ring_count)
    # Relative to each ring's first vertex: large projected coordinates would lose digits otherwise.
    starts = np.flatnonzero(np.r_[True, vertex_ring[1:] != vertex_ring[:-1]])
    origin = points[np.repeat(starts, np.diff(np.r_[starts, len(points)]))]
    here, there = points - origin, points[following] - origin
    return 0.5 * group_sums(vertex_ring, here[:, 0] * there[:, 1] - there[:, 0] * here[:, 1], ring_count)
