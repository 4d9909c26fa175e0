"""Areas of polygon intersections where one side is convex, for many pairs at once, in numpy.

A GEOS overlay costs about 20 µs per pair whatever the size of the polygons (noding, building a
topology graph): on a land-cover layer crossed by grid cells, most of the time goes there. When one
polygon of a pair is convex (grid cells, H3 hexagons, Voronoi cells, many parcels), the area of the
intersection needs no topology: clipping each ring of the other polygon by the convex one with
Sutherland–Hodgman, edge after edge, gives rings whose shoelace area is exactly the area of that
ring inside the convex polygon, even when the ring is not convex (the clip may leave zero-width
bridges along the convex polygon's edges; they enclose nothing). Holes are clipped the same way and
subtracted. All pairs go through each clipping edge together, so the cost is a few numpy passes
over the vertices, not a call per pair.

Only areas come out: an intersection that must be kept as a geometry still goes through GEOS.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.arrays import group_sums

_POLYGONAL = (shapely.GeometryType.POLYGON.value, shapely.GeometryType.MULTIPOLYGON.value)
# Turns smaller than this, relative to the lengths of the two edges, are straight: a ring with
# collinear vertices stays convex, and rounding cannot make a straight vertex look concave.
_STRAIGHT = 1e-12
# Vertices copied at once (about 16 bytes each, a few copies alive during a pass).
_BATCH_VERTICES = 2_000_000


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
    following = _following(vertex_ring, len(candidates))
    edges = points[following] - points
    incoming = np.empty_like(edges)
    incoming[following] = edges
    turns = incoming[:, 0] * edges[:, 1] - incoming[:, 1] * edges[:, 0]
    scale = _STRAIGHT * np.hypot(incoming[:, 0], incoming[:, 1]) * np.hypot(edges[:, 0], edges[:, 1])
    left = np.bincount(vertex_ring, weights=turns > scale, minlength=len(candidates)) > 0
    right = np.bincount(vertex_ring, weights=turns < -scale, minlength=len(candidates)) > 0
    signed = _shoelace(points, vertex_ring, len(candidates))
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


def clipped_areas(subjects, subject_index, clip_coordinates, clip_offsets, clip_index):
    """Area of ``subject subject_index[k] ∩ convex polygon clip_index[k]`` for every pair ``k``.

    ``subjects`` are the ``Rings`` of (multi)polygons of any shape; the convex polygons are given
    as returned by ``convex_polygons`` (counter-clockwise, not closed).
    """
    subject_index, clip_index = np.asarray(subject_index, np.int64), np.asarray(clip_index, np.int64)
    areas = np.zeros(len(subject_index))
    clip_edges = clip_offsets[clip_index + 1] - clip_offsets[clip_index]
    # Every pair of a call goes through as many passes as its polygon with most edges: pairs are
    # grouped by edge count (up to 4, 8, 16…) so that a few round polygons do not slow the others.
    bucket = np.ceil(np.log2(np.maximum(clip_edges, 4))).astype(np.int64)
    subject_vertices = subjects.vertex_counts()
    for value in np.unique(bucket):
        members = np.flatnonzero(bucket == value)
        # Each pair copies its subject's vertices: batches keep that copy bounded in memory.
        batch = np.cumsum(subject_vertices[subject_index[members]]) // _BATCH_VERTICES
        for start, end in zip(*_runs(batch)):
            chosen = members[start:end]
            areas[chosen] = _clipped_areas(subjects, subject_index[chosen], clip_coordinates, clip_offsets, clip_index[chosen])
    return areas


def _runs(values):
    """Start and end positions of the runs of equal values of a sorted array."""
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return starts, np.r_[starts[1:], len(values)]


def _clipped_areas(subjects, subject_index, clip_coordinates, clip_offsets, clip_index):
    pair_count = len(subject_index)
    # Each pair gets its own copy of its subject's rings.
    rings_per_subject = np.bincount(subjects.owner, minlength=subjects.geometry_count)
    first_ring = np.cumsum(rings_per_subject) - rings_per_subject
    pair_ring_counts = rings_per_subject[subject_index]
    ring_pair = np.repeat(np.arange(pair_count), pair_ring_counts)
    ring_rank = np.arange(len(ring_pair)) - np.repeat(np.cumsum(pair_ring_counts) - pair_ring_counts, pair_ring_counts)
    ring_ids = first_ring[subject_index][ring_pair] + ring_rank
    ring_lengths = subjects.offsets[ring_ids + 1] - subjects.offsets[ring_ids]
    vertex_ring = np.repeat(np.arange(len(ring_ids)), ring_lengths)
    vertex_rank = np.arange(len(vertex_ring)) - np.repeat(np.cumsum(ring_lengths) - ring_lengths, ring_lengths)
    points = subjects.coordinates[subjects.offsets[ring_ids][vertex_ring] + vertex_rank]

    clip_starts = clip_offsets[clip_index]
    clip_edges = clip_offsets[clip_index + 1] - clip_starts
    for edge in range(int(clip_edges.max())):
        # Rings already clipped by every edge of their convex polygon go through unchanged.
        has_edge = clip_edges > edge
        start = clip_starts + np.where(has_edge, edge, 0)
        end = clip_starts + np.where(has_edge, (edge + 1) % np.maximum(clip_edges, 1), 0)
        points, vertex_ring = _clip_by_edge(points, vertex_ring, len(ring_ids), clip_coordinates[start][ring_pair], clip_coordinates[end][ring_pair], has_edge[ring_pair])
    ring_areas = np.abs(_shoelace(points, vertex_ring, len(ring_ids)))
    return group_sums(ring_pair, np.where(subjects.exterior[ring_ids], ring_areas, -ring_areas), pair_count)


def _clip_by_edge(points, vertex_ring, ring_count, edge_start, edge_end, ring_has_edge):
    """One Sutherland–Hodgman pass: keep the part of each ring on the left of its own edge."""
    if len(points) == 0:
        return points, vertex_ring
    following = _following(vertex_ring, ring_count)
    direction = (edge_end - edge_start)[vertex_ring]
    offset = points - edge_start[vertex_ring]
    side = direction[:, 0] * offset[:, 1] - direction[:, 1] * offset[:, 0]
    side[~ring_has_edge[vertex_ring]] = 1.0
    inside = side >= 0
    crossing = inside != inside[following]
    # Vertex i emits itself when inside, then the crossing point of edge (i, i+1) when it crosses.
    emitted = inside.astype(np.int64) + crossing
    source = np.repeat(np.arange(len(points)), emitted)
    is_crossing = np.ones(len(source), bool)
    first_slot = np.cumsum(emitted) - emitted
    is_crossing[first_slot[inside]] = False
    out = points[source]
    crossing_source = source[is_crossing]
    after = following[crossing_source]
    fraction = side[crossing_source] / (side[crossing_source] - side[after])
    out[is_crossing] = points[crossing_source] + fraction[:, None] * (points[after] - points[crossing_source])
    return out, vertex_ring[source]


def _following(vertex_ring, ring_count):
    """Position of the next vertex of the same ring, wrapping at the ring's end (vertices grouped by ring)."""
    following = np.arange(1, len(vertex_ring) + 1)
    if len(vertex_ring) == 0:
        return following
    last = np.flatnonzero(np.r_[vertex_ring[1:] != vertex_ring[:-1], True])
    first = np.r_[0, last[:-1] + 1]
    following[last] = first
    return following


def _shoelace(points, vertex_ring, ring_count):
    """Signed area of each ring (counter-clockwise positive)."""
    if len(points) == 0:
        return np.zeros(ring_count)
    following = _following(vertex_ring, ring_count)
    # Relative to each ring's first vertex: large projected coordinates would lose digits otherwise.
    starts = np.flatnonzero(np.r_[True, vertex_ring[1:] != vertex_ring[:-1]])
    origin = points[np.repeat(starts, np.diff(np.r_[starts, len(points)]))]
    here, there = points - origin, points[following] - origin
    return 0.5 * group_sums(vertex_ring, here[:, 0] * there[:, 1] - there[:, 0] * here[:, 1], ring_count)
