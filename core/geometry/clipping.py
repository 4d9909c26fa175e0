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

The clipped rings are measured planar, or by a measure's ``ring_areas`` (on the ellipsoid, where
edges are geodesics: there a ring's bridges are split so that they cancel, see
``_split_at_added_points``). Only areas come out: an intersection that must be kept as a geometry
still goes through GEOS.
"""

from dataclasses import dataclass

import numpy as np

from .arrays import group_sums, ranks, runs
from .polygon_rings import next_vertices, planar_ring_areas, ring_boxes

# Vertices copied at once (about 16 bytes each, a few copies alive during a pass).
_BATCH_VERTICES = 2_000_000


def clipped_areas(subjects, subject_index, clip_coordinates, clip_offsets, clip_index, ring_areas=None):
    """Area of ``subject subject_index[k] ∩ convex polygon clip_index[k]`` for every pair ``k``.

    ``subjects`` are the ``Rings`` of (multi)polygons of any shape; the convex polygons are given
    as returned by ``convex_polygons`` (counter-clockwise, not closed). The clipped rings are
    measured by ``ring_areas(coordinates, offsets)`` (a measure's, such as the ellipsoid's), planar
    by default.

    Only the edges of a convex polygon that cut the subject's bounding box clip anything: the
    others leave the subject whole, and are skipped (a commune's hull has dozens of edges, a
    census tract near it meets one or two). A pair with no such edge is the subject's whole area,
    or nothing when one edge leaves the whole box outside.
    """
    subject_index, clip_index = np.asarray(subject_index, np.int64), np.asarray(clip_index, np.int64)
    areas = np.zeros(len(subject_index))
    if len(subject_index) == 0:
        return areas
    boxes = ring_boxes(subjects)
    whole_areas = _areas(subjects, ring_areas)
    clip_edges = clip_offsets[clip_index + 1] - clip_offsets[clip_index]
    subject_vertices = subjects.vertex_counts()
    # Pairs in batches: each holds one row per clip edge and a copy of its subject's vertices.
    load = np.cumsum(np.maximum(subject_vertices[subject_index], clip_edges))
    for start, end in zip(*runs(load // _BATCH_VERTICES)):
        chosen = np.arange(start, end)
        edges = _cutting_edges(boxes[subject_index[chosen]], clip_coordinates, clip_offsets, clip_index[chosen])
        areas[chosen[edges.whole]] = whole_areas[subject_index[chosen[edges.whole]]]
        cut = np.flatnonzero(edges.counts > 0)
        # Every pair of a call goes through as many passes as its polygon with most cutting edges:
        # pairs are grouped by that number (up to 2, 4, 8…) so that a few do not slow the others.
        bucket = np.ceil(np.log2(np.maximum(edges.counts[cut], 2))).astype(np.int64)
        for value in np.unique(bucket):
            members = cut[bucket == value]
            areas[chosen[members]] = _clipped_areas(subjects, subject_index[chosen[members]], edges.select(members), ring_areas)
    return areas


@dataclass
class _Edges:
    """The clipping edges of each pair, from ``starts`` to ``ends``: pair ``k`` has
    ``counts[k]`` of them from row ``offsets[k]`` on; ``whole`` marks the pairs whose subject lies
    wholly inside (no edge to cut by, area = the subject's)."""

    starts: np.ndarray
    ends: np.ndarray
    counts: np.ndarray
    whole: np.ndarray

    @property
    def offsets(self):
        return np.cumsum(self.counts) - self.counts

    def select(self, pairs):
        rows = np.repeat(self.offsets[pairs], self.counts[pairs]) + ranks(self.counts[pairs])
        return _Edges(self.starts[rows], self.ends[rows], self.counts[pairs], self.whole[pairs])


def _cutting_edges(boxes, clip_coordinates, clip_offsets, clip_index):
    """The edges of each pair's convex polygon whose line crosses the subject's box."""
    counts = clip_offsets[clip_index + 1] - clip_offsets[clip_index]
    pair = np.repeat(np.arange(len(clip_index)), counts)
    rank = ranks(counts)
    start = clip_offsets[clip_index][pair] + rank
    end = clip_offsets[clip_index][pair] + (rank + 1) % counts[pair]
    starts, ends = clip_coordinates[start], clip_coordinates[end]
    dx, dy = ends[:, 0] - starts[:, 0], ends[:, 1] - starts[:, 1]
    box = boxes[pair]
    # The side of each edge's line (inside is on the left, dx·(y - y0) - dy·(x - x0) ≥ 0) of the
    # box corners lowest and highest on that measure: the whole box is inside when its lowest
    # corner is, outside when its highest is not.
    low_x, high_x = np.where(dy > 0, box[:, 2], box[:, 0]), np.where(dy > 0, box[:, 0], box[:, 2])
    low_y, high_y = np.where(dx > 0, box[:, 1], box[:, 3]), np.where(dx > 0, box[:, 3], box[:, 1])
    inside = dx * (low_y - starts[:, 1]) - dy * (low_x - starts[:, 0]) >= 0
    outside = dx * (high_y - starts[:, 1]) - dy * (high_x - starts[:, 0]) < 0
    empty = np.bincount(pair, weights=outside, minlength=len(clip_index)) > 0
    cutting = ~inside & ~empty[pair]
    cut_counts = np.bincount(pair[cutting], minlength=len(clip_index)).astype(np.int64)
    whole = (cut_counts == 0) & ~empty & (counts > 0)
    return _Edges(starts[cutting], ends[cutting], cut_counts, whole)


def _areas(ring_set, ring_areas=None):
    """Area of each geometry of the rings: its exterior rings less its holes."""
    areas = (ring_areas or planar_ring_areas)(ring_set.coordinates, ring_set.offsets)
    return group_sums(ring_set.owner, np.where(ring_set.exterior, areas, -areas), ring_set.geometry_count)


def areas_clipped_by_pieces(subjects, subject_index, pieces, clip_index):
    """Area of ``subject subject_index[k] ∩ geometry clip_index[k]`` for every pair ``k``, the
    clipping geometry given as ``ConvexPieces``: the signed sum of the subject's area in each piece."""
    subject_index, clip_index = np.asarray(subject_index, np.int64), np.asarray(clip_index, np.int64)
    if len(subject_index) == 0:
        return np.zeros(0)
    count = int(max(pieces.owner.max(initial=-1), clip_index.max()) + 1)
    order = np.argsort(pieces.owner, kind="stable")
    per_owner = np.bincount(pieces.owner, minlength=count)
    first = np.cumsum(per_owner) - per_owner
    wanted = per_owner[clip_index]
    pair = np.repeat(np.arange(len(subject_index)), wanted)
    piece = order[first[clip_index][pair] + ranks(wanted)]
    # A piece whose box misses the subject's adds nothing (pockets are small and often far).
    subject_boxes, piece_boxes = ring_boxes(subjects)[subject_index[pair]], pieces.boxes()[piece]
    meets = (piece_boxes[:, 0] <= subject_boxes[:, 2]) & (piece_boxes[:, 2] >= subject_boxes[:, 0]) & \
            (piece_boxes[:, 1] <= subject_boxes[:, 3]) & (piece_boxes[:, 3] >= subject_boxes[:, 1])
    pair, piece = pair[meets], piece[meets]
    areas = clipped_areas(subjects, subject_index[pair], pieces.coordinates, pieces.offsets, piece)
    return group_sums(pair, pieces.sign[piece] * areas, len(subject_index))


def _clipped_areas(subjects, subject_index, edges, ring_areas=None):
    pair_count = len(subject_index)
    # Each pair gets its own copy of its subject's rings.
    rings_per_subject = np.bincount(subjects.owner, minlength=subjects.geometry_count)
    first_ring = np.cumsum(rings_per_subject) - rings_per_subject
    pair_ring_counts = rings_per_subject[subject_index]
    ring_pair = np.repeat(np.arange(pair_count), pair_ring_counts)
    ring_ids = first_ring[subject_index][ring_pair] + ranks(pair_ring_counts)
    ring_lengths = subjects.offsets[ring_ids + 1] - subjects.offsets[ring_ids]
    vertex_ring = np.repeat(np.arange(len(ring_ids)), ring_lengths)
    points = subjects.coordinates[subjects.offsets[ring_ids][vertex_ring] + ranks(ring_lengths)]

    edge_offsets = edges.offsets
    x, y = np.ascontiguousarray(points[:, 0]), np.ascontiguousarray(points[:, 1])
    added = np.zeros(len(x), bool)
    for edge in range(int(edges.counts.max())):
        # Rings already clipped by every edge of their pair go through unchanged.
        has_edge = edges.counts > edge
        row = edge_offsets + np.where(has_edge, edge, 0)
        row = np.minimum(row, max(len(edges.starts) - 1, 0))
        x, y, vertex_ring, added = _clip_by_edge(x, y, vertex_ring, len(ring_ids), edges.starts[row][ring_pair], edges.ends[row][ring_pair],
                                                 has_edge[ring_pair], added)
    if ring_areas is not None:
        # Planar areas ignore how a ring runs along a straight line; geodesic ones do not.
        x, y, vertex_ring = _split_at_added_points(x, y, vertex_ring, ring_pair, added)
    # A ring may have lost every vertex: an empty ring, of no area.
    areas = (ring_areas or planar_ring_areas)(np.column_stack([x, y]), np.searchsorted(vertex_ring, np.arange(len(ring_ids) + 1)))
    return group_sums(ring_pair, np.where(subjects.exterior[ring_ids], areas, -areas), pair_count)


def _clip_by_edge(x, y, vertex_ring, ring_count, edge_start, edge_end, ring_has_edge, added):
    """One Sutherland–Hodgman pass: keep the part of each ring on the left of its own edge.
    ``added`` marks the vertices made by clipping (crossing points), for the vertices returned too.

    Coordinates travel as two flat arrays (``x``, ``y``): gathering and arithmetic on contiguous
    columns cost about half of what they cost on an (n, 2) array."""
    if len(x) == 0:
        return x, y, vertex_ring, added
    following = next_vertices(vertex_ring, ring_count)
    start_x, start_y = edge_start[:, 0][vertex_ring], edge_start[:, 1][vertex_ring]
    side = (edge_end[:, 0] - edge_start[:, 0])[vertex_ring] * (y - start_y) - (edge_end[:, 1] - edge_start[:, 1])[vertex_ring] * (x - start_x)
    side[~ring_has_edge[vertex_ring]] = 1.0
    inside = side >= 0
    crossing = inside != inside[following]
    # Vertex i emits itself when inside, then the crossing point of edge (i, i+1) when it crosses.
    emitted = inside.astype(np.int64) + crossing
    source = np.repeat(np.arange(len(x)), emitted)
    is_crossing = np.ones(len(source), bool)
    first_slot = np.cumsum(emitted) - emitted
    is_crossing[first_slot[inside]] = False
    out_x, out_y = x[source], y[source]
    crossing_source = source[is_crossing]
    after = following[crossing_source]
    fraction = side[crossing_source] / (side[crossing_source] - side[after])
    out_x[is_crossing] = x[crossing_source] + fraction * (x[after] - x[crossing_source])
    out_y[is_crossing] = y[crossing_source] + fraction * (y[after] - y[crossing_source])
    return out_x, out_y, vertex_ring[source], added[source] | is_crossing


# Points this close (relative to the coordinates' magnitude) are on one line: the rounding of
# computed crossing points.
_SAME_POINT = 1e-12


def _split_at_added_points(x, y, vertex_ring, ring_pair, added):
    """Where a subject enters a convex polygon twice, clipping joins the parts into one ring by a
    bridge: the ring runs along the polygon's edge from one part to the other and later back
    over part of that stretch; a hole cut open by the polygon's edge runs along a stretch of the
    exterior's. A segment between two added points is split at the other added points of the
    pair's rings lying on it, so that a stretch run twice is run between the same points both
    ways: geodesics then cancel there exactly, as planar areas do, and the rings measure what
    the overlay's polygons would. ``ring_pair``: the pair of each ring (its rings clipped by
    one convex polygon)."""
    chosen = np.flatnonzero(added)
    if len(chosen) < 4:
        return x, y, vertex_ring
    tolerance = _SAME_POINT * max(float(np.abs(x).max()), float(np.abs(y).max()), 1.0)
    following = next_vertices(vertex_ring, len(ring_pair))
    # Vertices come ring after ring, rings pair after pair: so do the added points.
    group = ring_pair[vertex_ring[chosen]]
    per_pair = np.bincount(group)
    first_of_pair = np.searchsorted(group, np.arange(len(per_pair)))
    # Segments from one added point to the next (those along the convex polygon's edges), each
    # against every added point of its pair: a bridge or an open hole needs four of them.
    starts = chosen[added[following[chosen]]]
    start_pair = ring_pair[vertex_ring[starts]]
    counts = np.where(per_pair >= 4, per_pair, 0)[start_pair]
    found = []
    # In batches: a ring crossing an edge many times makes many candidates.
    for low, high in zip(*runs(np.cumsum(counts) // _BATCH_VERTICES)):
        start = np.repeat(starts[low:high], counts[low:high])
        other = chosen[np.repeat(first_of_pair[start_pair[low:high]], counts[low:high]) + ranks(counts[low:high])]
        end = following[start]
        candidate = (other != start) & (other != end)
        start, end, other = start[candidate], end[candidate], other[candidate]
        along_x, along_y = x[end] - x[start], y[end] - y[start]
        to_x, to_y = x[other] - x[start], y[other] - y[start]
        length = np.hypot(along_x, along_y)
        on_line = np.abs(along_x * to_y - along_y * to_x) <= tolerance * length
        position = (along_x * to_x + along_y * to_y) / np.maximum(length * length, np.finfo(float).tiny)
        between = on_line & (position * length > tolerance) & ((1.0 - position) * length > tolerance)
        found.append((start[between], other[between], position[between]))
    if not found or not sum(len(part[0]) for part in found):
        return x, y, vertex_ring
    after, inserted, position = (np.concatenate(column) for column in zip(*found))
    # Copies of those points inserted after the segment's start, in their order along it.
    order = np.lexsort((np.r_[np.zeros(len(x)), position], np.r_[np.arange(len(x)), after]))
    return np.r_[x, x[inserted]][order], np.r_[y, y[inserted]][order], np.r_[vertex_ring, vertex_ring[after]][order]
