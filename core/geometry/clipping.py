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


def select(ring_set, geometries):
    """The ``Rings`` of the geometries at positions ``geometries`` only, numbered 0, 1…"""
    renumber = np.full(ring_set.geometry_count, -1, np.int64)
    renumber[geometries] = np.arange(len(geometries))
    kept = renumber[ring_set.owner] >= 0
    lengths = np.diff(ring_set.offsets)
    coordinates = ring_set.coordinates[np.repeat(kept, lengths)]
    return Rings(coordinates, np.r_[0, np.cumsum(lengths[kept])], renumber[ring_set.owner[kept]], ring_set.exterior[kept], len(geometries))


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
    boxes = _boxes(subjects)
    whole_areas = _areas(subjects, ring_areas)
    clip_edges = clip_offsets[clip_index + 1] - clip_offsets[clip_index]
    subject_vertices = subjects.vertex_counts()
    # Pairs in batches: each holds one row per clip edge and a copy of its subject's vertices.
    load = np.cumsum(np.maximum(subject_vertices[subject_index], clip_edges))
    for start, end in zip(*_runs(load // _BATCH_VERTICES)):
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
        rows = np.repeat(self.offsets[pairs], self.counts[pairs]) + _ranks(self.counts[pairs])
        return _Edges(self.starts[rows], self.ends[rows], self.counts[pairs], self.whole[pairs])


def _ranks(counts):
    """0, 1, … counts[i] - 1 for each i, one after the other."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _cutting_edges(boxes, clip_coordinates, clip_offsets, clip_index):
    """The edges of each pair's convex polygon whose line crosses the subject's box."""
    counts = clip_offsets[clip_index + 1] - clip_offsets[clip_index]
    pair = np.repeat(np.arange(len(clip_index)), counts)
    rank = _ranks(counts)
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


def _boxes(ring_set):
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


def _areas(ring_set, ring_areas=None):
    """Area of each geometry of the rings: its exterior rings less its holes."""
    areas = (ring_areas or _planar_ring_areas)(ring_set.coordinates, ring_set.offsets)
    return group_sums(ring_set.owner, np.where(ring_set.exterior, areas, -areas), ring_set.geometry_count)


def _planar_ring_areas(coordinates, offsets):
    return np.abs(shoelace(coordinates, offsets))


def shoelace(coordinates, offsets):
    """Signed planar area of each ring (counter-clockwise positive), closed or not: ring ``i`` is
    ``coordinates[offsets[i]:offsets[i + 1]]``."""
    offsets = np.asarray(offsets)
    count = len(offsets) - 1
    return _shoelace(coordinates, np.repeat(np.arange(count), np.diff(offsets)), count)


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
    piece = order[first[clip_index][pair] + _ranks(wanted)]
    # A piece whose box misses the subject's adds nothing (pockets are small and often far).
    subject_boxes, piece_boxes = _boxes(subjects)[subject_index[pair]], pieces.boxes()[piece]
    meets = (piece_boxes[:, 0] <= subject_boxes[:, 2]) & (piece_boxes[:, 2] >= subject_boxes[:, 0]) & \
            (piece_boxes[:, 1] <= subject_boxes[:, 3]) & (piece_boxes[:, 3] >= subject_boxes[:, 1])
    pair, piece = pair[meets], piece[meets]
    areas = clipped_areas(subjects, subject_index[pair], pieces.coordinates, pieces.offsets, piece)
    return group_sums(pair, pieces.sign[piece] * areas, len(subject_index))


def _runs(values):
    """Start and end positions of the runs of equal values of a sorted array."""
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return starts, np.r_[starts[1:], len(values)]


def _clipped_areas(subjects, subject_index, edges, ring_areas=None):
    pair_count = len(subject_index)
    # Each pair gets its own copy of its subject's rings.
    rings_per_subject = np.bincount(subjects.owner, minlength=subjects.geometry_count)
    first_ring = np.cumsum(rings_per_subject) - rings_per_subject
    pair_ring_counts = rings_per_subject[subject_index]
    ring_pair = np.repeat(np.arange(pair_count), pair_ring_counts)
    ring_ids = first_ring[subject_index][ring_pair] + _ranks(pair_ring_counts)
    ring_lengths = subjects.offsets[ring_ids + 1] - subjects.offsets[ring_ids]
    vertex_ring = np.repeat(np.arange(len(ring_ids)), ring_lengths)
    points = subjects.coordinates[subjects.offsets[ring_ids][vertex_ring] + _ranks(ring_lengths)]

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
    areas = (ring_areas or _planar_ring_areas)(np.column_stack([x, y]), np.searchsorted(vertex_ring, np.arange(len(ring_ids) + 1)))
    return group_sums(ring_pair, np.where(subjects.exterior[ring_ids], areas, -areas), pair_count)


def _clip_by_edge(x, y, vertex_ring, ring_count, edge_start, edge_end, ring_has_edge, added):
    """One Sutherland–Hodgman pass: keep the part of each ring on the left of its own edge.
    ``added`` marks the vertices made by clipping (crossing points), for the vertices returned too.

    Coordinates travel as two flat arrays (``x``, ``y``): gathering and arithmetic on contiguous
    columns cost about half of what they cost on an (n, 2) array."""
    if len(x) == 0:
        return x, y, vertex_ring, added
    following = _following(vertex_ring, ring_count)
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
    following = _following(vertex_ring, len(ring_pair))
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
    for low, high in zip(*_runs(np.cumsum(counts) // _BATCH_VERTICES)):
        start = np.repeat(starts[low:high], counts[low:high])
        other = chosen[np.repeat(first_of_pair[start_pair[low:high]], counts[low:high]) + _ranks(counts[low:high])]
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
        return _boxes(Rings(self.coordinates, self.offsets, np.arange(len(self.owner)), np.ones(len(self.owner), bool), len(self.owner)))

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
    signed = _shoelace(hull_points, hull_ring, ring_count)
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
    areas = np.abs(_shoelace(pocket_points, pocket_index, len(start)))
    ring_areas = np.abs(_shoelace(points, ring_index, len(lengths)))[ring_of]
    kept = areas > 1e-14 * ring_areas
    pocket_coordinates, pocket_offsets, pocket_ring, _sign = _select_rings(pocket_points, np.r_[0, np.cumsum(pocket_lengths)], kept_rings[ring_of],
                                                                          np.zeros(len(start)), kept)
    return pocket_coordinates, pocket_offsets, pocket_ring
