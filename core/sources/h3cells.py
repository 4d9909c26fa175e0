"""H3 cells covering a territory (``cover``): the search behind the H3 units (``h3units``).

Three containment rules, the names of h3's own ``h3shape_to_cells_experimental``:

* ``overlap`` (the default): every cell that meets the territory, so the cells cover it whole,
  coasts included. h3's own overlap mode slows down with the coastline's vertices (20 s for a
  20 000-vertex coast at resolution 8); the same cells come from the cells whose centres lie in the
  territory widened by two cell edges (h3's fast centre rule) kept when they meet the territory
  (a prepared GEOS test);
* ``center``: the cells whose centre is in the territory: h3's ``h3shape_to_cells``, which every
  QGIS H3 plugin uses; it leaves gaps along coasts;
* ``full``: the cells wholly inside the territory.

H3 works in longitude/latitude on WGS 84. The territory is moved there with pyproj, axis order
fixed by ``always_xy`` (a latitude/longitude swap silently gives no cell at New Caledonia's
coordinates, so the order is never left to a CRS's own axis convention). Near the antimeridian
(Fiji, Wallis and Futuna) each cell across it is drawn east of 180°, and the territory just west
of 180° is repeated there, so no half is missed and no cell spans the globe; a territory given in
longitudes beyond 180° is worked in longitudes from 0 to 360. A world layer (parts across 0° and
180° at once, wider than 180°) keeps its parts as they are. Cells go back to the territory's CRS;
in a geographic CRS whose longitudes stop at 180, a cell across the antimeridian is cut there into
two parts.

Its length (about 600 lines) is one search, whose steps share the handling of 180° and of the
poles.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.lonlat import LONGITUDE_SLACK as _LONGITUDE_SLACK
from ..geometry.lonlat import WGS84, seam_longitude, to_crs, to_crs_coordinates, unwrapped
from ..model.errors import InputError

OVERLAP, CENTER, FULL = "overlap", "center", "full"
CONTAINMENTS = (OVERLAP, CENTER, FULL)
# The territory is widened by this many average edge lengths before its centre cells are taken:
# any cell that meets it has its centre that close (a cell's vertices lie about one edge length
# from its centre, a little more for the distorted ones).
_WIDENING_EDGES = 2.0
# How far east of 180° a cell across it reaches, in average edge lengths (two across a cell, and
# room for the distorted ones).
_ACROSS_EDGES = 4.0


@dataclass
class Cells:
    """The cells of one resolution: ``ids`` (uint64), their ``geometries`` in the territory's CRS,
    and ``inside`` (True for the cells wholly inside the territory: no need to clip them).
    ``rings`` holds their boundaries in longitude/latitude as coordinates (``BoundaryRings``)."""

    resolution: int
    ids: np.ndarray
    inside: np.ndarray
    rings: "BoundaryRings"
    crs_rings: "BoundaryRings"
    # Set where cells had to be cut at the antimeridian: then not simple rings any more.
    cut: np.ndarray = None

    @property
    def geometries(self):
        return self.cut if self.cut is not None else self.crs_rings.polygons()

    @property
    def lonlat(self):
        """The cells' polygons in longitude/latitude."""
        return self.rings.polygons()

    @property
    def texts(self):
        return h3_texts(self.ids)


def h3_texts(ids):
    """H3 indexes as text, as h3 3.x wrote them (``88…ffff``: the index in lower-case hexadecimal)."""
    return np.array(list(map("{:x}".format, np.asarray(ids, dtype=np.uint64).tolist())), dtype=object)


@dataclass
class BoundaryRings:
    """Cell boundaries as coordinates: ring ``i`` is ``coordinates[offsets[i]:offsets[i + 1]]``,
    closed (its first vertex again at its end). Shapely polygons cost more to make than to use:
    they are made only for the cells tested against the territory, and once in the output CRS."""

    coordinates: np.ndarray
    offsets: np.ndarray
    # Cells share their vertices: ``points`` holds each once, and the ring vertex ``v`` is
    # ``points[point_of[v]]`` (None when not known). In longitude/latitude, points go from -180
    # to 180 while a ring across the antimeridian keeps its longitudes together.
    points: np.ndarray = None
    point_of: np.ndarray = None

    def polygons(self):
        owner = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        if not len(owner):
            return np.zeros(0, dtype=object)
        return shapely.polygons(shapely.linearrings(self.coordinates, indices=owner))

    def areas(self, measure):
        """Each ring's area by ``measure`` (planar or on the ellipsoid), shared points moved once."""
        return measure.ring_areas(self.coordinates, self.offsets, self.points, self.point_of)

    def select(self, positions):
        counts = np.diff(self.offsets)[positions]
        starts = self.offsets[:-1][positions]
        vertices = np.repeat(starts - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(int(counts.sum()))
        point_of = None if self.point_of is None else self.point_of[vertices]
        return BoundaryRings(self.coordinates[vertices], np.r_[0, np.cumsum(counts)], self.points, point_of)

    @staticmethod
    def concatenate(parts):
        offsets, total = [np.zeros(1, np.int64)], 0
        for part in parts:
            offsets.append(part.offsets[1:] + total)
            total += int(part.offsets[-1])
        return BoundaryRings(np.concatenate([part.coordinates for part in parts]), np.concatenate(offsets))


def cover(territory, crs, resolution, containment=OVERLAP, checkpoint=None):
    """The H3 cells of ``resolution`` covering ``territory`` (one (multi)polygon, valid, in ``crs``)
    by the ``containment`` rule; a ``Cells``. ``checkpoint()`` is called between its steps (it
    may raise to stop)."""
    import h3

    checkpoint = checkpoint or (lambda: None)
    if containment not in CONTAINMENTS:
        raise InputError("bad_containment", f"The containment rule must be one of {', '.join(CONTAINMENTS)}, not {containment!r}.", value=str(containment))
    if not 0 <= int(resolution) <= 15:
        raise InputError("bad_resolution", f"H3 resolutions go from 0 to 15; {resolution} is not one.", value=str(resolution))
    resolution = int(resolution)
    lonlat = to_crs(np.array([_densified_on_the_map(territory, crs)], dtype=object), crs, WGS84)[0]
    # A territory given west of -180° (in a geographic CRS) is worked on 360° east, and its cells
    # brought back to its own longitudes at the end.
    offset = 360.0 if shapely.bounds(lonlat)[0] < -180.0 - _LONGITUDE_SLACK else 0.0
    if offset:
        lonlat = shapely.transform(lonlat, lambda xy: xy + np.array([offset, 0.0]))
    lonlat, shifted = unwrapped(lonlat, is_projected(crs))
    # h3's centre rule slows down with the polygon's vertices: the candidates are the centre cells
    # of a simplified outline around the territory (a few hundred vertices whatever the coast),
    # then each rule is tested exactly on the territory itself with prepared GEOS predicates.
    edge = h3.average_hexagon_edge_length(resolution, "m") / 111_320.0
    latitude = max(abs(shapely.bounds(lonlat)[1]), abs(shapely.bounds(lonlat)[3]))
    scale = 1.0 / np.cos(np.radians(min(latitude, 89.0)))
    widening = (_WIDENING_EDGES if containment == OVERLAP else 0.0) * edge * scale
    reach = _search_reach(resolution, widening, edge, scale)
    polar = latitude + reach > _POLAR_LATITUDE
    if polar:
        _refuse_a_pole(territory, crs)
    _refuse_a_cell_holding_a_pole(lonlat, resolution)
    if not shifted:
        # Cells across 180° are drawn east of it (up to a cell's width), and so are the coarser
        # cells they are sought in, widened (the search's reach): the territory just west of 180°
        # is repeated there, so that they meet it where they are drawn.
        lonlat = _around_the_antimeridian(lonlat, _ACROSS_EDGES * edge * scale + reach)
    shapely.prepare(lonlat)
    if polar:
        # Near a pole a degree of longitude shrinks to nothing: an outline widened by a few cells
        # (by a few coarse cells at resolutions 0 to 3, up to tens of degrees) would reach past
        # the pole. h3's own rule gives the cells there (slower on detailed coasts, the same
        # cells), then tested like the others.
        import h3.api.numpy_int as h3_int

        inner_cells = np.zeros(0, np.uint64)
        strips = _h3_strips(lonlat)
        # Cut in strips, the cells wholly inside the territory are no longer wholly inside one
        # strip: the overlapping ones are the candidates then (each rule is tested below).
        rule = containment if strips is lonlat else OVERLAP
        candidates = np.unique(np.asarray(h3_int.h3shape_to_cells_experimental(_h3shape(strips), resolution, rule), dtype=np.uint64))
    else:
        inner_cells, candidates = _candidates(lonlat, resolution, widening, edge, scale, shifted)
    # Boundaries of both at once, so that their shared vertices are projected once.
    checkpoint()
    everything = np.r_[candidates, inner_cells]
    all_rings = boundary_rings(everything, shifted)
    tested = np.arange(len(candidates))
    candidate_rings = all_rings.select(tested)
    boundaries = candidate_rings.polygons()
    # A cell that meets no edge of the territory lies wholly inside it or wholly outside, as any
    # one of its vertices does: one test on the coastline and one point in polygon per cell, where
    # testing each cell against the territory's area twice (meets it? inside it?) costs twice as much.
    checkpoint()
    on_coast = _meeting_the_edges(lonlat, boundaries)
    vertex_inside = np.zeros(len(candidates), dtype=bool)
    vertex_inside[~on_coast] = shapely.contains(lonlat, shapely.points(candidate_rings.coordinates[candidate_rings.offsets[:-1][~on_coast]]))
    if containment == OVERLAP:
        kept = on_coast | vertex_inside
    elif containment == FULL:
        kept = shapely.covers(lonlat, boundaries)
    else:
        kept = shapely.contains(lonlat, _centres(candidates, shifted))
    inside = (~on_coast & vertex_inside)[kept]
    # Cells known to lie well inside the territory need no test: they are in, by every rule.
    rows = np.r_[tested[kept], len(candidates) + np.arange(len(inner_cells))]
    order = np.argsort(everything[rows], kind="stable")
    rows = rows[order]
    rings = all_rings.select(rows)
    if offset:
        rings.coordinates[:, 0] -= offset
    inside = np.r_[inside, np.ones(len(inner_cells), dtype=bool)][order]
    # Moved to the territory's CRS as coordinates; polygons are made only where needed.
    checkpoint()
    crs_rings = _rings_to_crs(rings, crs)
    cut = _in_frame(rings, crs_rings, crs, territory)
    _inside_at_the_seam(inside, rings, crs_rings, cut, crs, territory, 2 * edge * scale)
    return Cells(resolution, everything[rows], inside, rings, crs_rings, cut)


def _inside_at_the_seam(inside, rings, crs_rings, cut, crs, territory, margin):
    """Cells found wholly inside in longitude/latitude, within ``margin`` (degrees) of where a
    projected CRS cuts the globe, tested again in the CRS (``inside`` updated): the map's edge is a
    curve there (Equal Earth), and a territory cut at it follows it by a few straight edges, so a
    cell inside in degrees may stick out of it on the map (by up to a quarter of a cell)."""
    if not inside.any() or not is_projected(crs):
        return
    seam = seam_longitude(crs, territory)
    if seam is None:
        return
    starts = rings.offsets[:-1]
    west, east = np.minimum.reduceat(rings.coordinates[:, 0], starts), np.maximum.reduceat(rings.coordinates[:, 0], starts)
    line = seam + 360.0 * np.round(((west + east) / 2.0 - seam) / 360.0)  # the nearest line of the cut
    near = np.flatnonzero(inside & (west - margin < line) & (line < east + margin))
    if len(near):
        polygons = cut[near] if cut is not None else crs_rings.select(near).polygons()
        shapely.prepare(territory)
        inside[near] = shapely.covers(territory, polygons)


# The longest edge of a territory in a projected CRS moved to longitude/latitude as it is: an edge
# straight on the map is a curve in degrees, off by up to about L² tan(latitude) / 8R (6 mm for
# 1 km at 17°, metres for the tens of kilometres of a coarse world layer's coasts).
_LONGEST_EDGE_METRES = 1000.0


def _densified_on_the_map(territory, crs):
    """``territory`` with its edges longer than ``_LONGEST_EDGE_METRES`` cut on the map (its
    projected CRS), so that in longitude/latitude, where the cells are found, it keeps its shape on
    the map, where they are cut and measured (a cell grazing a long edge was kept by one and had
    no piece in the other). As given in a geographic CRS."""
    from ..geometry.metrics import metres_per_crs_unit

    if not is_projected(crs):
        return territory
    return shapely.segmentize(territory, _LONGEST_EDGE_METRES / (metres_per_crs_unit(crs) or 1.0))


def _rings_to_crs(rings, crs):
    """The rings in ``crs``. To a projected CRS, each shared point is projected once (from -180
    to 180: projections take longitudes modulo 360), and stays shared."""
    if rings.point_of is None or not is_projected(crs):
        return BoundaryRings(to_crs_coordinates(rings.coordinates, WGS84, crs), rings.offsets)
    points = to_crs_coordinates(rings.points, WGS84, crs)
    return BoundaryRings(points[rings.point_of], rings.offsets, points, rings.point_of)


def cell_boundaries(cells, shifted=False):
    """The cells' polygons in longitude/latitude (x = longitude); a cell across the antimeridian
    keeps its longitudes together (above 180 on the east side), and with ``shifted`` every
    longitude is taken from 0 to 360."""
    return boundary_rings(cells, shifted).polygons()


def boundary_rings(cells, shifted=False):
    """``cell_boundaries`` as coordinates (``BoundaryRings``, closed rings), without polygons."""
    from .h3boundaries import shared_vertices

    if len(cells) == 0:
        return BoundaryRings(np.zeros((0, 2)), np.zeros(1, np.int64))
    lat, lon, point_of_vertex, counts = shared_vertices(cells)
    points = np.column_stack([lon, lat])
    if (counts == 6).all():  # hexagons only: rings of the same length, in one block
        point_of = np.empty((len(counts), 7), dtype=np.int64)
        point_of[:, :6] = point_of_vertex.reshape(-1, 6)
        point_of[:, 6] = point_of[:, 0]  # each ring closed: its first vertex again after its last
        coordinates = points[point_of]
        lon = coordinates[:, :, 0]
        wrap = ((lon.max(axis=1) - lon.min(axis=1)) > 180.0)[:, None] | shifted
        lon[wrap & (lon < 0)] += 360.0
        return BoundaryRings(coordinates.reshape(-1, 2), np.arange(0, 7 * len(counts) + 1, 7), points, point_of.ravel())
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    lon = lon[point_of_vertex]
    span = np.maximum.reduceat(lon, starts) - np.minimum.reduceat(lon, starts)
    wrap = (span > 180.0)[owner] | shifted
    offsets = np.r_[0, np.cumsum(counts + 1)]
    positions = np.arange(len(point_of_vertex)) + owner
    point_of = np.empty(int(offsets[-1]), dtype=np.int64)
    point_of[positions] = point_of_vertex
    point_of[offsets[1:] - 1] = point_of[offsets[:-1]]  # each ring closed
    coordinates = points[point_of]
    closed_wrap = np.empty(int(offsets[-1]), dtype=bool)
    closed_wrap[positions] = wrap
    closed_wrap[offsets[1:] - 1] = closed_wrap[offsets[:-1]]
    coordinates[closed_wrap & (coordinates[:, 0] < 0), 0] += 360.0
    return BoundaryRings(coordinates, offsets, points, point_of)


# Cells are sought two resolutions coarser first: a coarse cell well inside the territory brings
# its 49 descendants without a test, one far from it none.
_COARSER = 2
# How far the descendants of a cell reach beyond it, in edges of the descendants (they do not nest).
_SPILL_EDGES = 3.0


def _search_cells(lonlat, resolution, widening, edge):
    """h3's centre cells of the territory widened by ``widening`` (degrees), through a simplified
    outline: h3's centre rule slows down with the polygon's vertices (a few hundred vertices here,
    whatever the coast). It is simplified by at most ``tolerance`` before and after the buffer
    (GEOS buffers a detailed coast slowly) and widened by as much again, so it still holds the
    territory widened by ``widening``."""
    import h3.api.numpy_int as h3_int

    tolerance = 0.5 * edge
    # Part by part: GEOS buffers a multipolygon by merging its parts' buffers, which for hundreds
    # of islets close together costs a hundred times more. h3 takes the parts' cells together,
    # overlapping or not.
    parts = shapely.get_parts(shapely.simplify(lonlat, tolerance))
    search = shapely.get_parts(shapely.simplify(shapely.buffer(parts, widening + 3 * tolerance, quad_segs=2), tolerance))
    if not len(search):
        return np.zeros(0, np.uint64)
    return np.unique(np.asarray(h3_int.h3shape_to_cells(_h3shape(_h3_strips(shapely.multipolygons(search))), resolution), dtype=np.uint64))


def _search_reach(resolution, widening, edge, scale):
    """How far (degrees) ``_candidates`` looks beyond the territory: its outline's widening, and
    the simplification on both sides of the buffer."""
    import h3

    if resolution < _COARSER:
        return widening * scale + 4 * 0.5 * edge
    coarse_edge = h3.average_hexagon_edge_length(resolution - _COARSER, "m") / 111_320.0
    return (widening + _SPILL_EDGES * edge * scale + 2 * coarse_edge) * scale + 4 * 0.5 * coarse_edge


def _candidates(lonlat, resolution, widening, edge, scale, shifted):
    """``(inner, candidates)``: cells of ``resolution`` known to lie well inside the territory, and
    cells to test (a superset of those the rule keeps, without the inner ones); ``shifted``: the
    territory is in longitudes from 0 to 360."""
    import h3
    import h3._cy as h3_cy

    if resolution < _COARSER:
        return np.zeros(0, np.uint64), _search_cells(lonlat, resolution, widening * scale, edge)
    coarse = resolution - _COARSER
    coarse_edge = h3.average_hexagon_edge_length(coarse, "m") / 111_320.0
    spill = _SPILL_EDGES * edge * scale
    # A cell's descendants have their centres within the cell widened by the spill: coarse cells
    # whose centre is within the territory widened by that much, and by a coarse cell, hold them all.
    parents = _search_cells(lonlat, coarse, (widening + spill + 2 * coarse_edge) * scale, coarse_edge)
    rings = boundary_rings(parents, shifted)
    well_inside = shapely.contains_properly(lonlat, _widened(rings, spill))
    # Descendants that may meet the territory widened by ``widening``: those of the coarse cells
    # that meet it once grown by the spill and the widening.
    near = ~well_inside & shapely.intersects(lonlat, _widened(rings, spill + widening * scale))

    def descendants(chosen):
        if not len(chosen):
            return np.zeros(0, np.uint64)
        return np.concatenate([np.asarray(h3_cy.cell_to_children(int(cell), resolution), dtype=np.uint64) for cell in chosen])

    return np.unique(descendants(parents[well_inside])), np.unique(descendants(parents[near]))


# Vertices per piece of the territory's edges in ``_meeting_the_edges``.
_CHAIN_VERTICES = 8


def _meeting_the_edges(territory, polygons):
    """Which ``polygons`` meet an edge (exterior or hole) of ``territory``. Its edges are cut into
    short chains in an R-tree, so each polygon is tested only against the chains near it: GEOS's
    prepared test of a whole coastline checks every one of its rings against each polygon,
    slow with hundreds of islets. A ring lying inside a polygon (an islet within a cell) meets it."""
    rings = shapely.get_rings(shapely.get_parts(territory))
    coordinates, ring_of = shapely.get_coordinates(rings, return_index=True)
    if not len(coordinates) or not len(polygons):
        return np.zeros(len(polygons), dtype=bool)
    starts = np.r_[0, np.flatnonzero(np.diff(ring_of)) + 1]
    segments = np.diff(np.r_[starts, len(coordinates)]) - 1  # each ring closed
    chains = -(-segments // _CHAIN_VERTICES)
    chain_ring = np.repeat(np.arange(len(starts)), chains)
    chain_rank = np.arange(len(chain_ring)) - np.repeat(np.cumsum(chains) - chains, chains)
    first = starts[chain_ring] + chain_rank * _CHAIN_VERTICES
    last = np.minimum(first + _CHAIN_VERTICES, starts[chain_ring] + segments[chain_ring])  # inclusive
    lengths = last - first + 1
    owner = np.repeat(np.arange(len(first)), lengths)
    vertices = np.repeat(first, lengths) + np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    tree = shapely.STRtree(shapely.linestrings(coordinates[vertices], indices=owner))
    meeting, _chain = tree.query(polygons, predicate="intersects")
    met = np.zeros(len(polygons), dtype=bool)
    met[meeting] = True
    return met


def _widened(rings, distance):
    """The polygons of convex ``rings`` (``BoundaryRings``) with every edge moved out by
    ``distance``, their corners mitred: each holds every point within ``distance`` of its ring (a
    little more at the corners), as a buffer would, made with numpy in a quarter of the time."""
    from ..geometry import polygon_rings

    counts = np.diff(rings.offsets) - 1  # vertices, the closing one left out
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    vertex = np.arange(int(counts.sum())) + owner  # its position in the closed rings
    points = rings.coordinates[vertex]
    edges = rings.coordinates[vertex + 1] - points  # from each vertex to the next
    normals = np.column_stack([edges[:, 1], -edges[:, 0]]) / np.hypot(edges[:, 0], edges[:, 1])[:, None]
    # Outward is to the right of a counter-clockwise ring: flipped for clockwise ones.
    normals *= np.where(polygon_rings.shoelace(rings.coordinates, rings.offsets) < 0, -1.0, 1.0)[owner][:, None]
    previous = np.arange(len(vertex)) - 1
    previous[starts] = starts + counts - 1  # the edge before a ring's first vertex is its last
    before = normals[previous]
    moved = points + distance * (before + normals) / (1.0 + np.einsum("ij,ij->i", before, normals))[:, None]
    return shapely.polygons(shapely.linearrings(moved, indices=owner))


# Beyond this latitude (degrees) the cells are h3's own (see ``cover``).
_POLAR_LATITUDE = 80.0


def _refuse_a_cell_holding_a_pole(lonlat, resolution):
    """The H3 cell around each pole (from about 69° of latitude at resolution 0, 82° at 1) cannot
    be drawn in longitude/latitude as a polygon of its vertices: where the territory meets it, it
    is said, with the resolution from which the pole's cell stays clear of the territory."""
    import h3

    for pole, name in ((90.0, "North"), (-90.0, "South")):
        if abs(shapely.bounds(lonlat)[3 if pole > 0 else 1]) < 60.0:
            continue
        if shapely.intersects(lonlat, _polar_cell_shape(h3.latlng_to_cell(pole, 0.0, resolution), pole)):
            finer = next((level for level in range(resolution + 1, 16)
                          if not shapely.intersects(lonlat, _polar_cell_shape(h3.latlng_to_cell(pole, 0.0, level), pole))), 15)
            raise InputError("pole_cell", f"The H3 cell of resolution {resolution} around the {name} Pole meets the zone: a cell holding a pole "
                             f"cannot be drawn in longitude/latitude. Choose resolution {finer} or finer.", value=name, resolution=resolution, finer=finer)


def _polar_cell_shape(cell, pole):
    """The cell holding ``pole`` in longitude/latitude, from -180 to 540 (every frame the
    territory may be in): its boundary by longitude, closed through the pole along the frame's
    edges, as a polygon around a pole is drawn there."""
    import h3

    lat, lon = np.array(h3.cell_to_boundary(cell)).T
    order = np.argsort(lon)
    lon, lat = lon[order], lat[order]
    # Where the boundary crosses ±180°: between its easternmost vertex and its westernmost one.
    share = (180.0 - lon[-1]) / (lon[0] + 360.0 - lon[-1])
    at_180 = lat[-1] + share * (lat[0] - lat[-1])
    turns = [np.column_stack([lon + turn, lat]) for turn in (0.0, 360.0)]
    ring = np.concatenate([[[-180.0, at_180]], *turns, [[540.0, at_180], [540.0, pole], [-180.0, pole]]])
    return shapely.Polygon(ring)


def _refuse_a_pole(territory, crs):
    """A territory holding a pole cannot be drawn in longitude/latitude, where H3 takes polygons:
    said plainly rather than answered with wrong cells."""
    from pyproj import CRS, Transformer

    for latitude in (90.0, -90.0):
        x, y = Transformer.from_crs(CRS.from_user_input(WGS84), CRS.from_user_input(crs), always_xy=True).transform(0.0, latitude)
        if np.isfinite([x, y]).all() and shapely.covers(territory, shapely.Point(x, y)):
            raise InputError("pole", "The zone holds a pole: H3 cells are found from polygons in longitude/latitude, which cannot hold one. "
                             "Cut the zone into parts that leave the pole out (a small circle around it).", value="North" if latitude > 0 else "South")


def _centres(cells, shifted):
    """The cells' centres in longitude/latitude (from 0 to 360 with ``shifted``)."""
    import h3._cy as h3_cy

    latlng = np.array([h3_cy.cell_to_latlng(int(cell)) for cell in cells], dtype=float).reshape(-1, 2)
    lon = latlng[:, 1]
    if shifted:
        lon = np.where(lon < 0, lon + 360.0, lon)
    return shapely.points(lon, latlng[:, 0])


def is_projected(crs):
    """Whether ``crs`` (anything pyproj takes) is a map's, not longitude/latitude."""
    from pyproj import CRS

    return not CRS.from_user_input(crs).is_geographic


def _around_the_antimeridian(lonlat, margin):
    """The territory (longitudes from -180) as cells near 180° see it: what lies beyond 180°
    brought back west of it (a polygon across the antimeridian, unwrapped), then what lies within
    ``margin`` of 180° on either side repeated a turn away, merged with what touches 180° there.
    Cells across 180° are drawn east of it, and the coarser cells they descend from may lie just
    west of -180° (their children stick out of them): each then meets the territory where it is
    drawn. A territory far from 180° is returned as it is."""
    west, _south, east, _north = shapely.bounds(lonlat)
    if west >= -180.0 + margin and east <= 180.0 - margin:
        return lonlat
    parts = shapely.get_parts(lonlat)
    # A part unwrapped westwards from -180° is taken a turn east first, then cut at 180° like the others.
    parts = np.where(shapely.bounds(parts)[:, 0] < -180.0, shapely.transform(parts, lambda xy: xy + np.array([360.0, 0.0])), parts)
    beyond = shapely.bounds(parts)[:, 2] > 180.0
    if beyond.any():
        back = shapely.transform(shapely.clip_by_rect(parts[beyond], 180.0, -90.0, 540.0, 90.0), lambda xy: xy - np.array([360.0, 0.0]))
        parts = np.concatenate([parts[~beyond], shapely.clip_by_rect(parts[beyond], -180.0, -90.0, 180.0, 90.0), back])
        parts = shapely.get_parts(parts[~shapely.is_empty(parts)])
    east_of = shapely.transform(shapely.clip_by_rect(parts, -180.0, -90.0, -180.0 + margin, 90.0), lambda xy: xy + np.array([360.0, 0.0]))
    west_of = shapely.transform(shapely.clip_by_rect(parts, 180.0 - margin, -90.0, 180.0, 90.0), lambda xy: xy - np.array([360.0, 0.0]))
    repeated = np.concatenate([east_of, west_of])
    pieces = np.concatenate([parts, repeated[~shapely.is_empty(repeated)]])
    return shapely.union_all(shapely.make_valid(pieces))


# A strip handed to h3 is at most this wide in longitude: h3 takes any edge longer than 180° as
# crossing the antimeridian, and fails on polygons wider than 180° (uber/h3#561).
_STRIP_DEGREES = 90.0


def _h3_strips(polygons):
    """``polygons`` (longitude/latitude) with each part wider than a strip cut into strips: the
    same cells by h3's centre and overlap rules (not by its wholly-inside one)."""
    parts = shapely.get_parts(polygons)
    bounds = shapely.bounds(parts)
    wide = bounds[:, 2] - bounds[:, 0] > _STRIP_DEGREES
    if not wide.any():
        return polygons
    strips = [parts[~wide]]
    for part, (west, _south, east, _north) in zip(parts[wide], bounds[wide]):
        edges = np.linspace(west, east, int(np.ceil((east - west) / _STRIP_DEGREES)) + 1)
        strips.extend(shapely.get_parts(shapely.clip_by_rect(part, left, -90.0, right, 90.0)) for left, right in zip(edges[:-1], edges[1:]))
    strips = np.concatenate(strips)
    return shapely.multipolygons(strips[(shapely.get_type_id(strips) == shapely.GeometryType.POLYGON) & ~shapely.is_empty(strips)])


def _h3shape(polygons):
    """An h3 shape (latitude first!) from a shapely (multi)polygon in longitude/latitude, longitudes
    brought back to -180..180 (h3 takes an edge longer than 180° as crossing the antimeridian)."""
    import h3

    def ring(coordinates):
        coordinates = np.asarray(coordinates)[:-1]
        lon = ((coordinates[:, 0] + 180.0) % 360.0) - 180.0
        return list(zip(coordinates[:, 1].tolist(), lon.tolist()))

    parts = shapely.get_parts(polygons)
    shapes = [h3.LatLngPoly(ring(part.exterior.coords), *(ring(hole.coords) for hole in part.interiors)) for part in parts if not part.is_empty]
    return h3.LatLngMultiPoly(*shapes) if len(shapes) != 1 else shapes[0]


def _in_frame(rings, crs_rings, crs, territory):
    """Cells cut where the territory's CRS cuts the globe (``seam_longitude``): in a geographic
    CRS whose longitudes stop at 180, a cell across the antimeridian is cut there, its eastern part
    written from -180; in a projected CRS whose map is cut (Web Mercator, Equal Earth: at 180°), a
    cell across the cut is cut there, each part projected on its own side, where it was drawn
    across the whole map. ``rings`` are the cells in longitude/latitude, ``crs_rings`` in ``crs``.
    The polygons of all cells when one is cut, None when none is (the rings are then the cells)."""
    if not len(rings.coordinates):
        return None
    seam = seam_longitude(crs, territory)
    if seam is None:
        return None
    starts = rings.offsets[:-1]
    west, east = np.minimum.reduceat(rings.coordinates[:, 0], starts), np.maximum.reduceat(rings.coordinates[:, 0], starts)
    line = seam + 360.0 * np.ceil((west - seam) / 360.0)  # the first line of the cut east of the cell's west end
    across = (line > west) & (line < east)
    if not across.any():
        return None
    from ..geometry.repair import POLYGON, simple_parts

    # Each cell moved by whole turns so that it is cut at the seam itself: its western part is then
    # half a turn east of the CRS's central meridian, its eastern part half a turn west.
    chosen = rings.select(np.flatnonzero(across))
    coordinates = chosen.coordinates.copy()
    coordinates[:, 0] += np.repeat(seam - line[across], np.diff(chosen.offsets))
    lonlat = BoundaryRings(coordinates, chosen.offsets).polygons()
    west_parts = shapely.clip_by_rect(lonlat, seam - 360.0, -90.0, seam, 90.0)
    east_parts = shapely.transform(shapely.clip_by_rect(lonlat, seam, -90.0, seam + 360.0, 90.0), lambda xy: xy - np.array([360.0, 0.0]))
    parts, owner = simple_parts(np.concatenate([west_parts, east_parts]), POLYGON)
    if is_projected(crs):
        # The cut follows the map's edge, a curve in most projections (Equal Earth): a straight
        # edge between its two ends would leave a sliver of the territory out of every cell.
        parts = np.array([_densified_along(part, (seam, seam - 360.0)) for part in parts], dtype=object)
    parts = to_crs(parts, WGS84, crs)
    owner = owner % int(across.sum())
    order = np.argsort(owner, kind="stable")
    cut = np.full(int(across.sum()), None, dtype=object)
    shapely.multipolygons(parts[order], indices=owner[order], out=cut)
    out = crs_rings.polygons()
    out[across] = cut
    return out


# Points along a cut at the map's edge, every this many degrees of latitude.
_EDGE_STEP = 0.01


def _densified_along(polygon, longitudes):
    """``polygon`` with points added every ``_EDGE_STEP`` degrees along its edges that run on one
    of ``longitudes`` (a cut made there)."""
    def ring(coordinates):
        out = [coordinates[:1]]
        for start, end in zip(coordinates[:-1], coordinates[1:]):
            if start[0] == end[0] and start[0] in longitudes and abs(end[1] - start[1]) > _EDGE_STEP:
                steps = int(np.ceil(abs(end[1] - start[1]) / _EDGE_STEP))
                out.append(np.column_stack([np.full(steps - 1, start[0]), np.linspace(start[1], end[1], steps + 1)[1:-1]]))
            out.append(end[None, :])
        return np.concatenate(out)

    return shapely.Polygon(ring(shapely.get_coordinates(polygon.exterior)), [ring(shapely.get_coordinates(hole)) for hole in polygon.interiors])
