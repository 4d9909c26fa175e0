"""H3 cell boundaries for many cells at once, in numpy: the same numbers as h3's ``cell_to_boundary``.

h3 answers one cell per call; at 2.3 µs a call it was the largest single cost of covering a territory
with a million cells. The same steps as h3's C library (4.5) run here on arrays; the integer steps
are h3's exactly, and the last one is folded into an affine map per face (two trigonometric calls
a vertex instead of eight), so vertices agree with h3's to about 1e-15 degrees (tested):

1. an index gives its base cell and one digit per resolution; from the base cell's home face and
   position, each digit moves down one aperture-7 level (alternately rotated: classes II and III);
2. a cell whose centre went past its face's edge is carried onto the neighbouring face;
3. its six vertices are the centre plus fixed offsets on a grid three times finer (the substrate);
4. each vertex goes from the face's plane to the sphere by the inverse gnomonic projection.

Cells that need more than this go to h3 itself, one call each: cells of the twelve pentagon base
cells (missing sub-sequence, repeated overage) and cells with a vertex on or past an edge of their
face (vertices on another face's plane, and the extra vertex where a class III edge crosses the
face's edge). They are a thin band along the icosahedron's edges.

Integer positions are kept as two axial coordinates (``i - k``, ``j - k``): h3's normalised
``(i, j, k)`` differ only by a multiple of ``(1, 1, 1)``, which every step here ignores.
"""

import math
from functools import lru_cache

import numpy as np

from .h3grid import BASE_CELL_HOMES, FACE_CENTRES, FACE_I_AXIS_AZIMUTHS, FACE_NEIGHBOURS

# h3's constants, as its C source writes them (constants.h, faceijk.c).
_SQRT3_2 = 0.8660254037844386467637231707529361834714
_RSQRT7 = 0.37796447300922722721451653623418006081576
_ONETHIRD = 0.333333333333333333333333333333333333333
_ONESEVENTH = 0.14285714285714285714285714285714285
_RES0_U_GNOMONIC = 0.38196601125010500003

# Base cells: home face, axial position on it, and whether a pentagon.
_BASE = np.array(BASE_CELL_HOMES, dtype=np.int64)
_BASE_FACE = _BASE[:, 0]
_BASE_X = _BASE[:, 1] - _BASE[:, 3]
_BASE_Y = _BASE[:, 2] - _BASE[:, 3]
_BASE_ON_FACE_CENTRE = (_BASE[:, 1] == 0) & (_BASE[:, 2] == 0) & (_BASE[:, 3] == 0)
_BASE_PENTAGON = _BASE[:, 4] == 1

# Neighbouring faces by (face, quadrant), quadrants in h3's order IJ, KI, JK.
_IJ, _KI, _JK = 0, 1, 2
_NEIGHBOUR_FACE = np.array([[quadrant[0] for quadrant in face] for face in FACE_NEIGHBOURS], dtype=np.int64)
_NEIGHBOUR_X = np.array([[quadrant[1][0] - quadrant[1][2] for quadrant in face] for face in FACE_NEIGHBOURS], dtype=np.int64)
_NEIGHBOUR_Y = np.array([[quadrant[1][1] - quadrant[1][2] for quadrant in face] for face in FACE_NEIGHBOURS], dtype=np.int64)
_NEIGHBOUR_TURNS = np.array([[quadrant[2] for quadrant in face] for face in FACE_NEIGHBOURS], dtype=np.int64)

# The six vertices of a cell centred on the origin, on the substrate grid, counter-clockwise from the
# i axis (h3's vertsCII and vertsCIII), as axial offsets.
_VERTICES_CLASS_II = np.array([(2, 1), (1, 2), (-1, 1), (-2, -1), (-1, -2), (1, -1)], dtype=np.int64)
_VERTICES_CLASS_III = np.array([(5, 4), (1, 5), (-4, 1), (-5, -4), (-1, -5), (4, -1)], dtype=np.int64)


def _tangent_basis(centre):
    """h3's ``_vec3TangentBasis`` for one face centre: its local north and east unit vectors."""
    x, y, z = centre
    dot = 0.0 * x + 0.0 * y + 1.0 * z
    north = [1.0 * 0.0 + -dot * x, 1.0 * 0.0 + -dot * y, 1.0 * 1.0 + -dot * z]
    norm = math.sqrt(north[0] * north[0] + north[1] * north[1] + north[2] * north[2])
    scale = 1.0 / norm if norm > 0.0 else 0.0
    north = [value * scale for value in north]
    east = [north[1] * z - north[2] * y, north[2] * x - north[0] * z, north[0] * y - north[1] * x]
    return north, east


_FACE_CENTRE = np.array(FACE_CENTRES, dtype=float)
_FACE_NORTH, _FACE_EAST = (np.array(basis, dtype=float) for basis in zip(*map(_tangent_basis, FACE_CENTRES)))
_FACE_AZIMUTH = np.array(FACE_I_AXIS_AZIMUTHS, dtype=float)
# The face's i axis and the direction 90 degrees clockwise from it, on the tangent plane at its centre.
_FACE_ALONG_I = np.cos(_FACE_AZIMUTH)[:, None] * _FACE_NORTH + np.sin(_FACE_AZIMUTH)[:, None] * _FACE_EAST
_FACE_ACROSS_I = np.sin(_FACE_AZIMUTH)[:, None] * _FACE_NORTH - np.cos(_FACE_AZIMUTH)[:, None] * _FACE_EAST


def cell_vertices(cells):
    """The boundaries of ``cells`` (H3 indexes, uint64) as h3's ``cell_to_boundary`` gives them:
    ``(latitudes, longitudes, counts)``, degrees, cell after cell, ``counts[i]`` vertices for cell
    ``i`` (6 for most, 5 for pentagons, up to 10 where an edge crosses a face's edge), not closed."""
    latitudes, longitudes, point_of_vertex, counts = shared_vertices(cells)
    return latitudes[point_of_vertex], longitudes[point_of_vertex], counts


def shared_vertices(cells):
    """``cell_vertices`` with each point once: ``(latitudes, longitudes, point_of_vertex, counts)``,
    vertex ``v`` (cell after cell, as ``cell_vertices``) being point ``point_of_vertex[v]``.
    Neighbouring cells share their vertices (each about three times): what is done per point (the
    sphere, a projection) is then done a third as often, and shared vertices stay equal."""
    cells = np.asarray(cells, dtype=np.uint64)
    six_points = np.zeros((len(cells), 6), dtype=np.int64)
    in_numpy = np.zeros(len(cells), dtype=bool)
    latitudes, longitudes = [np.zeros(0)], [np.zeros(0)]
    resolutions = ((cells >> np.uint64(52)) & np.uint64(15)).astype(np.int64)
    for resolution in np.unique(resolutions):
        rows = np.flatnonzero(resolutions == resolution)
        vx, vy, face, done = _hexagon_vertices(cells[rows], int(resolution))
        # One key per point of the face's substrate grid (|vx|, |vy| < 2**26 up to resolution 15).
        keys = (face[:, None] << 54) | ((vx + (1 << 26)) << 27) | (vy + (1 << 26))
        _keys, first, point = np.unique(keys.ravel(), return_index=True, return_inverse=True)
        lat, lon = _on_sphere(vx.ravel()[first], vy.ravel()[first], face.repeat(6)[first], int(resolution) + int(resolution) % 2)
        six_points[rows[done]] = point.reshape(-1, 6) + sum(map(len, latitudes))
        latitudes.append(lat)
        longitudes.append(lon)
        in_numpy[rows[done]] = True
    counts = np.full(len(cells), 6, dtype=np.int64)
    others = np.flatnonzero(~in_numpy)
    if not len(others):
        return np.concatenate(latitudes), np.concatenate(longitudes), six_points.ravel(), counts
    import h3._cy as h3_cy

    # The others, drawn by h3: points of their own.
    boundaries = [h3_cy.cell_to_boundary(cell) for cell in cells[others].tolist()]
    counts[others] = [len(boundary) for boundary in boundaries]
    drawn = np.array([point for boundary in boundaries for point in boundary], dtype=float).reshape(-1, 2)
    offsets = np.r_[0, np.cumsum(counts)]
    point_of_vertex = np.empty(offsets[-1], dtype=np.int64)
    point_of_vertex[(offsets[:-1][in_numpy][:, None] + np.arange(6)).ravel()] = six_points[in_numpy].ravel()
    first_drawn = sum(map(len, latitudes))
    drawn_vertices = np.concatenate([np.arange(offsets[cell], offsets[cell + 1]) for cell in others])
    point_of_vertex[drawn_vertices] = first_drawn + np.arange(len(drawn))
    return (np.concatenate(latitudes + [drawn[:, 0]]), np.concatenate(longitudes + [drawn[:, 1]]), point_of_vertex, counts)


def cell_parents(cells, resolution):
    """Each cell's parent at ``resolution`` (not finer than the cells'), as h3's ``cell_to_parent``:
    the index with the resolution field lowered and the finer digits set to 7 (unused)."""
    cells = np.asarray(cells, dtype=np.uint64)
    unused = np.uint64((1 << (3 * (15 - resolution))) - 1)
    resolution_field = np.uint64(15 << 52)
    return (cells & ~resolution_field) | np.uint64(resolution << 52) | unused


@lru_cache(maxsize=None)
def _descent(resolution):
    """The linear map (2 x 2, axial coordinates) taking a base cell's position to its centre
    child's at ``resolution``: one aperture 7 per level, counter-clockwise on odd levels."""
    matrix = ((1, 0), (0, 1))
    for level in range(1, resolution + 1):
        matrix = _times(_LEVEL_MAPS[level % 2], matrix)
    return matrix


@lru_cache(maxsize=None)
def _digit_moves(resolution):
    """For groups of up to three levels: ``(shift, x_moves, y_moves)``, the move each group of digits
    (read as one number, ``index >> shift``) makes at ``resolution``: a digit's unit move, carried
    down by the apertures of the levels after it. The sum over groups is h3's digit loop."""
    groups = []
    levels = list(range(1, resolution + 1))
    for first in range(0, len(levels), 3):
        group = levels[first:first + 3]
        moves = np.zeros((8 ** len(group), 2), dtype=np.int64)
        for value in range(8 ** len(group)):
            for position, level in enumerate(group):
                digit = (value >> (3 * (len(group) - 1 - position))) & 7
                if digit == 7:  # not a move (h3 moves for digits 1 to 6; 0 is the centre)
                    continue
                i, j, k = (digit >> 2) & 1, (digit >> 1) & 1, digit & 1
                after = ((1, 0), (0, 1))
                for later in range(level + 1, resolution + 1):
                    after = _times(_LEVEL_MAPS[later % 2], after)
                moves[value] += [after[0][0] * (i - k) + after[0][1] * (j - k), after[1][0] * (i - k) + after[1][1] * (j - k)]
        groups.append((3 * (15 - group[-1]), moves[:, 0].copy(), moves[:, 1].copy()))
    return tuple(groups)


# One level's aperture 7 on axial coordinates: clockwise on class II (even) levels, counter-clockwise on class III.
_LEVEL_MAPS = {0: ((3, -1), (1, 2)), 1: ((2, 1), (-1, 3))}


def _times(a, b):
    return tuple(tuple(sum(a[row][n] * b[n][column] for n in range(2)) for column in range(2)) for row in range(2))


def _normalised_sum(x, y):
    """``i + j + k`` of h3's normalised coordinates (all non-negative, one zero) for axial ``(x, y)``."""
    return x + y - 3 * np.minimum(np.minimum(x, y), 0)


def _hexagon_vertices(cells, resolution):
    """``(vx, vy, face, done)``: the six vertices of the cells ``done`` marks, as positions on
    their face's substrate grid (one row per cell); the others (pentagon base cells, vertices on or
    past the face's edge) are left to h3."""
    base = ((cells >> np.uint64(45)) & np.uint64(127)).astype(np.intp)
    face = _BASE_FACE[base]
    (xx, xy), (yx, yy) = _descent(resolution)
    x = xx * _BASE_X[base] + xy * _BASE_Y[base]
    y = yx * _BASE_X[base] + yy * _BASE_Y[base]
    for shift, x_moves, y_moves in _digit_moves(resolution):
        chunk = ((cells >> np.uint64(shift)) & np.uint64(len(x_moves) - 1)).astype(np.intp)
        x += x_moves[chunk]
        y += y_moves[chunk]
    x, y, face = _onto_own_face(x, y, face, base, resolution)
    # Vertices on the substrate grid (apertures 3 and 3 rotated; class III one aperture 7 more).
    x, y = x + y, 2 * y - x
    x, y = 2 * x - y, x + y
    substrate_resolution = resolution
    offsets = _VERTICES_CLASS_II
    if resolution % 2:
        x, y = 3 * x - y, x + 2 * y
        substrate_resolution += 1
        offsets = _VERTICES_CLASS_III
    face_edge = 3 * 2 * 7 ** (substrate_resolution // 2)
    # i + j + k is a convex gauge, so a centre this far from the edge has all six vertices inside.
    done = ~_BASE_PENTAGON[base]
    near_edge = np.flatnonzero(done & (_normalised_sum(x, y) + _normalised_sum(*offsets.T).max() >= face_edge))
    near_x = x[near_edge, None] + offsets[:, 0]
    near_y = y[near_edge, None] + offsets[:, 1]
    done[near_edge] = (_normalised_sum(near_x, near_y) < face_edge).all(axis=1)
    return x[done, None] + offsets[:, 0], y[done, None] + offsets[:, 1], face[done], done


def _on_sphere(vx, vy, face, substrate_resolution):
    """``(latitudes, longitudes)`` in degrees of points of the substrate grid of ``face``.

    The inverse gnomonic projection, h3's (r, theta) steps folded into one affine map per face: a
    point of the face's plane at distance rho = tan(r) in direction d is the unit vector of
    centre + rho d. h3's trigonometric route gives the same points to about 1e-15 degrees."""
    scale = _RSQRT7 ** substrate_resolution * _ONETHIRD * _RES0_U_GNOMONIC
    hx = (vx - 0.5 * vy) * scale
    hy = vy * (_SQRT3_2 * scale)
    latitudes, longitudes = np.empty(hx.shape), np.empty(hx.shape)
    # One face at a time: the face's vectors are then scalars (most territories lie on one).
    faces = np.unique(face)
    for one_face in faces:
        rows = slice(None) if len(faces) == 1 else face == one_face
        fx, fy = hx[rows], hy[rows]
        px, py, pz = (_FACE_CENTRE[one_face, axis] + fx * _FACE_ALONG_I[one_face, axis] + fy * _FACE_ACROSS_I[one_face, axis] for axis in range(3))
        norm = np.sqrt(px * px + py * py + pz * pz)
        latitudes[rows] = np.degrees(np.arcsin(pz / norm))
        longitudes[rows] = np.degrees(np.arctan2(py, px))
    return latitudes, longitudes


def _onto_own_face(x, y, face, base, resolution):
    """h3's overage step of ``_h3ToFaceIjk`` for hexagon base cells: a centre past its home face's
    edge is carried onto the neighbouring face (turned and translated into that face's axes)."""
    possible = ~_BASE_ON_FACE_CENTRE[base] & ~_BASE_PENTAGON[base] & (resolution > 0)
    if not possible.any():
        return x, y, face
    fine_x, fine_y, fine_resolution = x, y, resolution
    if resolution % 2:  # class III: the test is made on the next, class II, grid
        fine_x, fine_y, fine_resolution = 3 * x - y, x + 2 * y, resolution + 1
    over = possible & (_normalised_sum(fine_x, fine_y) > 2 * 7 ** (fine_resolution // 2))
    if not over.any():
        return x, y, face
    ox, oy, of = fine_x[over], fine_y[over], face[over]
    shift = -np.minimum(np.minimum(ox, oy), 0)
    j, k = oy + shift, shift
    quadrant = np.where(k > 0, np.where(j > 0, _JK, _KI), _IJ)
    turns = _NEIGHBOUR_TURNS[of, quadrant]
    for _ in range(5):  # 60-degree turns counter-clockwise
        turning = turns > 0
        ox, oy = np.where(turning, ox - oy, ox), np.where(turning, ox, oy)
        turns = turns - 1
    unit = 7 ** (fine_resolution // 2)
    ox = ox + _NEIGHBOUR_X[of, quadrant] * unit
    oy = oy + _NEIGHBOUR_Y[of, quadrant] * unit
    if resolution % 2:  # back up to the class III grid (h3's _upAp7r: no ties, so rint is lround)
        ox, oy = np.rint((2 * ox + oy) * _ONESEVENTH).astype(np.int64), np.rint((3 * oy - ox) * _ONESEVENTH).astype(np.int64)
    x, y, face = x.copy(), y.copy(), face.copy()
    x[over], y[over], face[over] = ox, oy, _NEIGHBOUR_FACE[of, quadrant]
    return x, y, face
