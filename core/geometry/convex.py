"""Convex polygons and convex pieces of polygons, for the clipping engine (``clipping``).

Which polygons are one convex ring (``convex_polygons``: those the clipping engine clips by), and
any polygon as a signed sum of convex pieces made of its own vertices (``convex_pieces``: its
hull minus its pockets, each pocket decomposed the same way with the opposite sign).
"""

from dataclasses import dataclass

import numpy as np
import shapely

from .polygon_rings import Rings, next_vertices, ring_boxes, vertex_shoelace

# Turns smaller than this, relative to the lengths of the two edges, are straight: a ring with
# collinear vertices stays convex, and rounding cannot make a straight vertex look concave.
_STRAIGHT = 1e-12


def convex_polygons(ring_set):
    """Which geometries are one convex polygon without holes, and their ring counter-clockwise.

    Returns ``(convex, coordinates, offsets)``: the ring of convex geometry ``g`` is
    ``coordinates[offsets[g]:offsets[g + 1]]`` (not closed); others have none.
    """
    count = ring_set.geometry_count
    rings_per_geometry = np.bincount(ring_set.owner, minlength=count)
    lengths = np.diff(ring_set.offsets)
    single = (rings_per_geometry == 1)[ring_set.owner] & (lengths >= 3)
    candidates = np.flatnonzero(single)
    candidate_lengths = lengths[candidates]
    vertex_ring = np.repeat(np.arange(len(candidates)), candidate_lengths)
    vertex_rank = np.arange(len(vertex_ring)) - np.repeat(np.cumsum(candidate_lengths) - candidate_lengths, candidate_lengths)
    points = ring_set.coordinates[ring_set.offsets[candidates][vertex_ring] + vertex_rank]
    following = next_vertices(vertex_ring, len(candidates))
    edges = points[following] - points
    incoming = np.empty_like(edges)
    incoming[following] = edges
    turns = incoming[:, 0] * edges[:, 1] - incoming[:, 1] * edges[:, 0]
    scale = _STRAIGHT * np.hypot(incoming[:, 0], incoming[:, 1]) * np.hypot(edges[:, 0], edges[:, 1])
    left = np.bincount(vertex_ring, weights=turns > scale, minlength=len(candidates)) > 0
    right = np.bincount(vertex_ring, weights=turns < -scale, minlength=len(candidates)) > 0
    signed = vertex_shoelace(points, vertex_ring, len(candidates))
    ring_convex = ~(left & right) & (signed != 0)
    # Clockwise rings are reversed so that the inside is on the left of every edge.
    vertex_convex = ring_convex[vertex_ring]
    rank = vertex_rank[vertex_convex]
    kept_ring = vertex_ring[vertex_convex]
    kept = points[vertex_convex]
    kept_lengths = np.bincount(kept_ring, minlength=len(candidates))
    kept_starts = np.cumsum(kept_lengths) - kept_lengths
    reverse = (signed < 0)[kept_ring]
    order = np.where(reverse, kept_starts[kept_ring] + kept_lengths[kept_ring] - 1 - rank, np.arange(len(kept_ring)))
    kept = kept[order]
    convex = np.zeros(count, bool)
    owners = ring_set.owner[candidates]
    convex[owners[ring_convex]] = True
    offsets = np.zeros(count + 1, np.int64)
    offsets[owners + 1] = kept_lengths
    return convex, kept, np.cumsum(offsets)


@dataclass
class ConvexPieces:
    """Geometries as signed sums of convex polygons: geometry ``g`` covers the area of
    Σ ``sign[k]`` × piece ``k`` over the pieces whose ``owner`` is ``g``. Piece ``k`` is
    ``coordinates[offsets[k]:offsets[k + 1]]``, counter-clockwise, not closed (as
    ``clipped_areas`` takes its convex polygons). ``decomposed[g]`` is False for the geometries
    too deep to decompose (see ``convex_pieces``), which have no piece."""

    coordinates: np.ndarray
    offsets: np.ndarray
    owner: np.ndarray
    sign: np.ndarray
    decomposed: np.ndarray

    def boxes(self):
        """(xmin, ymin, xmax, ymax) of each piece."""
        return ring_boxes(Rings(self.coordinates, self.offsets, np.arange(len(self.owner)), np.ones(len(self.owner), bool), len(self.owner)))

    def edge_counts(self, count):
        """Total edges of each geometry's pieces (what clipping by them costs per subject vertex)."""
        return np.bincount(self.owner, weights=np.diff(self.offsets), minlength=count).astype(np.int64)


# A decomposition deeper than this (a spiral) is left to GEOS.
_DEEPEST = 32


def convex_pieces(ring_set):
    """Each geometry of ``ring_set`` as a signed sum of convex polygons, found without GEOS
    overlays and without new vertices.

    A ring is its convex hull minus its pockets: the regions between the hull and the ring, each
    bounded by a run of the ring's vertices between two consecutive hull vertices and the hull edge
    that closes it. A pocket is itself a polygon, decomposed the same way with the opposite sign;
    holes start with a negative sign. Every piece is made of the input's own vertices, so areas
    computed piece by piece equal the whole's to rounding. A Voronoi cell merged with a neighbour
    gives three pieces (its hull and two triangles); a convex polygon one.
    """
    count = ring_set.geometry_count
    coordinates, offsets = ring_set.coordinates, ring_set.offsets
    owner = ring_set.owner.copy()
    sign = np.where(ring_set.exterior, 1.0, -1.0)
    pieces_coordinates, pieces_lengths, pieces_owner, pieces_sign = [], [], [], []
    too_deep = np.zeros(count, bool)
    for _level in range(_DEEPEST):
        lengths = np.diff(offsets)
        usable = lengths >= 3
        if not usable.any():
            break
        coordinates, offsets, owner, sign = _select_rings(coordinates, offsets, owner, sign, usable)
        hull_coordinates, hull_offsets, is_hull = _hulls(coordinates, offsets)
        hull_lengths = np.diff(hull_offsets)
        flat = hull_lengths >= 3
        keep_vertex = np.repeat(flat, hull_lengths)
        pieces_coordinates.append(hull_coordinates[keep_vertex])
        pieces_lengths.append(hull_lengths[flat])
        pieces_owner.append(owner[flat])
        pieces_sign.append(sign[flat])
        coordinates, offsets, pocket_ring = _pockets(coordinates, offsets, is_hull)
        owner, sign = owner[pocket_ring], -sign[pocket_ring]
        if len(pocket_ring) == 0:
            break
    else:
        too_deep[owner] = True
    lengths = np.concatenate(pieces_lengths) if pieces_lengths else np.zeros(0, np.int64)
    piece_owner = np.concatenate(pieces_owner) if pieces_owner else np.zeros(0, np.int64)
    keep = ~too_deep[piece_owner]
    all_coordinates = np.concatenate(pieces_coordinates) if pieces_coordinates else np.zeros((0, 2))
    all_coordinates = all_coordinates[np.repeat(keep, lengths)]
    return ConvexPieces(all_coordinates, np.r_[0, np.cumsum(lengths[keep])], piece_owner[keep],
                        (np.concatenate(pieces_sign) if pieces_sign else np.zeros(0))[keep], ~too_deep)


def _select_rings(coordinates, offsets, owner, sign, kept):
    lengths = np.diff(offsets)
    vertex_kept = np.repeat(kept, lengths)
    return coordinates[vertex_kept], np.r_[0, np.cumsum(lengths[kept])], owner[kept], sign[kept]


def _hulls(coordinates, offsets):
    """Each ring's convex hull, counter-clockwise (``coordinates``, ``offsets``) and which vertices
    of the rings are hull vertices (GEOS drops collinear ones)."""
    lengths = np.diff(offsets)
    ring_count = len(lengths)
    ring_index = np.repeat(np.arange(ring_count), lengths)
    # Closed rings for shapely: each ring's first vertex repeated at its end.
    closed_ring = np.repeat(np.arange(ring_count), lengths + 1)
    closed_rank = np.arange(len(closed_ring)) - np.repeat(np.r_[0, np.cumsum(lengths + 1)][:-1], lengths + 1)
    closed = coordinates[offsets[:-1][closed_ring] + closed_rank % lengths[closed_ring]]
    hulls = shapely.convex_hull(shapely.linearrings(closed, indices=closed_ring))
    hull_points, hull_ring = shapely.get_coordinates(hulls, return_index=True)
    # Hull rings come closed: drop their last vertex (a degenerate hull, a line or a point, then
    # has too few vertices to be a piece).
    last = np.r_[hull_ring[1:] != hull_ring[:-1], True] if len(hull_ring) else np.zeros(0, bool)
    hull_points, hull_ring = hull_points[~last], hull_ring[~last]
    hull_lengths = np.bincount(hull_ring, minlength=ring_count)
    hull_offsets = np.r_[0, np.cumsum(hull_lengths)]
    signed = vertex_shoelace(hull_points, hull_ring, ring_count)
    rank = np.arange(len(hull_ring)) - hull_offsets[:-1][hull_ring]
    reverse = (signed < 0)[hull_ring]
    hull_points = hull_points[np.where(reverse, hull_offsets[:-1][hull_ring] + hull_lengths[hull_ring] - 1 - rank, np.arange(len(hull_ring)))]
    return hull_points, hull_offsets, _same_vertices(ring_index, coordinates, hull_ring, hull_points)


def _same_vertices(ring, points, other_ring, other_points):
    """True for each vertex (``ring``, ``points``) that ``other`` holds too, in the same ring.

    Vertices are matched by a hash of their ring and exact coordinates (sorted integers compare
    fast), and every match is then checked on the coordinates themselves.
    """
    keys, other_keys = _hash(ring, points), _hash(other_ring, other_points)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    found = np.zeros(len(keys), bool)
    slot = np.searchsorted(sorted_keys, other_keys)
    # Equal hashes are consecutive: try each match until none is left (usually one round).
    candidates = np.flatnonzero(slot < len(keys))
    while len(candidates):
        position = order[slot[candidates]]
        hit = sorted_keys[slot[candidates]] == other_keys[candidates]
        same = hit & (ring[position] == other_ring[candidates]) & (points[position] == other_points[candidates]).all(axis=1)
        found[position[same]] = True
        slot[candidates] += 1
        candidates = candidates[hit & ~same]
        candidates = candidates[slot[candidates] < len(keys)]
    return found


def _hash(ring, points):
    bits = np.ascontiguousarray(points, dtype=np.float64).view(np.uint64)
    mixed = bits[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ bits[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F) ^ ring.astype(np.uint64) * np.uint64(0x165667B19E3779F9)
    return mixed.view(np.int64)


def _pockets(coordinates, offsets, is_hull):
    """The pockets of each ring: runs of non-hull vertices with the hull vertices on either side.

    Returns ``(coordinates, offsets, ring)`` of the pockets (not closed) and the ring each comes
    from. Pockets of no area (vertices along a hull edge) are dropped.
    """
    empty = np.zeros((0, 2)), np.zeros(1, np.int64), np.zeros(0, np.int64)
    lengths = np.diff(offsets)
    ring_count = len(lengths)
    ring_index = np.repeat(np.arange(ring_count), lengths)
    rank = np.arange(len(ring_index)) - offsets[:-1][ring_index]
    # Each ring is turned to start at a hull vertex, so that no pocket wraps around its end.
    unset = np.iinfo(np.int64).max
    first_hull = np.full(ring_count, unset, np.int64)
    hull_positions = np.flatnonzero(is_hull)
    np.minimum.at(first_hull, ring_index[hull_positions], rank[hull_positions])
    with_hull = first_hull < unset
    if not with_hull.any():
        return empty
    coordinates, offsets, _ring, _sign = _select_rings(coordinates, offsets, np.arange(ring_count), np.zeros(ring_count), with_hull)
    kept_rings = np.flatnonzero(with_hull)
    is_hull = is_hull[np.repeat(with_hull, lengths)]
    first_hull, lengths = first_hull[with_hull], lengths[with_hull]
    ring_index = np.repeat(np.arange(len(lengths)), lengths)
    rank = np.arange(len(ring_index)) - offsets[:-1][ring_index]
    rotated = offsets[:-1][ring_index] + (rank + first_hull[ring_index]) % lengths[ring_index]
    points, hull = coordinates[rotated], is_hull[rotated]
    # Every vertex belongs to the segment opened by the last hull vertex before it.
    segment_of_vertex = np.cumsum(hull) - 1
    hull_vertex = np.flatnonzero(hull)
    inner = np.bincount(segment_of_vertex[~hull], minlength=len(hull_vertex))
    pocket_segments = np.flatnonzero(inner > 0)
    if len(pocket_segments) == 0:
        return empty
    start, inner = hull_vertex[pocket_segments], inner[pocket_segments]
    ring_of = ring_index[start]
    after = start + inner + 1
    # The hull vertex closing the pocket: the next one in the ring, or the ring's first.
    end = np.where(after < offsets[1:][ring_of], after, offsets[:-1][ring_of])
    pocket_lengths = inner + 2
    pocket_index = np.repeat(np.arange(len(start)), pocket_lengths)
    pocket_rank = np.arange(len(pocket_index)) - np.repeat(np.cumsum(pocket_lengths) - pocket_lengths, pocket_lengths)
    source = np.where(pocket_rank == pocket_lengths[pocket_index] - 1, end[pocket_index], start[pocket_index] + pocket_rank)
    pocket_points = points[source]
    areas = np.abs(vertex_shoelace(pocket_points, pocket_index, len(start)))
    ring_areas = np.abs(vertex_shoelace(points, ring_index, len(lengths)))[ring_of]
    kept = areas > 1e-14 * ring_areas
    pocket_coordinates, pocket_offsets, pocket_ring, _sign = _select_rings(pocket_points, np.r_[0, np.cumsum(pocket_lengths)], kept_rings[ring_of],
                                                                          np.zeros(len(start)), kept)
    return pocket_coordinates, pocket_offsets, pocket_ring
