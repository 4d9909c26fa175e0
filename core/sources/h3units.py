"""H3 cells as units: the cells of a zone at one or more resolutions (``h3_units``), measured as the
indicators measure, cut to the zone or not, each with its parent at the next coarser resolution
asked for, and the check before any cell is made (the zone within its CRS's area of use, a number
of cells within the budget).

The cells themselves come from ``h3cells.cover``; their boundaries from ``h3boundaries``.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.lonlat import WGS84, to_crs, unwrapped
from ..geometry.repair import intersect_one, pieces_of
from ..model.errors import Cancelled, InputError
from .h3cells import OVERLAP, BoundaryRings, cell_boundaries, cover, h3_texts, is_projected


def _areas_inside(cells, territory, measure):
    """Area by ``measure`` of each (convex) cell's part inside ``territory``: the territory's
    pieces clipped by the cell (no overlay), their rings measured planar or on the ellipsoid."""
    from ..geometry import clipping, polygon_rings
    from ..geometry.convex import convex_polygons

    if not len(cells):
        return np.zeros(0)
    pieces, index = pieces_of(territory, cells)
    convex, hulls, offsets = convex_polygons(polygon_rings.rings(cells))
    areas = np.zeros(len(cells))
    # Planar areas need only the default shoelace; geodesic ones the measure's own rings.
    ring_areas = None if measure.additive else measure.ring_areas
    areas[convex] = clipping.clipped_areas(polygon_rings.rings(pieces), index[convex], hulls, offsets, np.flatnonzero(convex), ring_areas)
    # A cell cut at the antimeridian is in two parts: intersected by GEOS.
    areas[~convex] = measure.areas(shapely.intersection(cells[~convex], pieces[index[~convex]]))
    return areas


def estimated_cells(territory, crs, resolution):
    """About how many cells of ``resolution`` cover ``territory`` (in ``crs``): its area on the
    WGS 84 ellipsoid over the area of the cell at its middle, found before any cell is (within a
    few percent on the test zones: cells differ in size across a large zone, and the coast adds
    some; an estimate, not a count)."""
    lonlat = _estimated_lonlat(territory, crs)
    return _geodesic_area(lonlat) * _cells_per_square_metre(lonlat, [resolution])


def _estimated_lonlat(territory, crs):
    """The territory in longitude/latitude for the estimate: across the antimeridian, its
    longitudes kept together (its middle is then where it is, not on the other side of the globe)."""
    return unwrapped(to_crs(np.array([territory], dtype=object), crs, WGS84)[0], is_projected(crs))[0]


def _refuse_far_outside_the_crs(territory, crs):
    """Refuse a zone far outside the area where its projected CRS is defined (its area of use, grown
    by its own larger side on every side: neighbouring countries pass): its coordinates are in
    another CRS than the layer says, or mistyped. Lambert-93 at 10⁹ m gave one cell of 2.9·10¹⁵ m²."""
    import warnings

    from pyproj import CRS, Transformer

    definition = CRS.from_user_input(crs)
    area = definition.area_of_use
    if definition.is_geographic or area is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = Transformer.from_crs(CRS.from_user_input(WGS84), definition, always_xy=True).transform_bounds(area.west, area.south, area.east, area.north,
                                                                                                          densify_pts=21)
    if not np.isfinite(box).all():
        return
    margin = max(box[2] - box[0], box[3] - box[1])
    west, south, east, north = shapely.bounds(territory)
    if west < box[0] - margin or east > box[2] + margin or south < box[1] - margin or north > box[3] + margin:
        raise InputError("outside_crs", f"The zone lies far outside the area where {definition.name} is defined ({area.name}: {area.west:g}° to "
                         f"{area.east:g}° of longitude, {area.south:g}° to {area.north:g}° of latitude).",
                         crs=definition.name, area=area.name, bounds=[area.west, area.south, area.east, area.north])


def _refuse_too_many_cells(territory, crs, resolutions, max_cells):
    """Raise ``too_many_cells`` when more than ``max_cells`` cells of ``resolutions`` in all would
    cover the territory. The territory's box on the sphere bounds its area from above at no cost:
    its geodesic area is measured only when the box alone is too large."""
    lonlat = _estimated_lonlat(territory, crs)
    west, south, east, north = shapely.bounds(lonlat)
    box = 6_378_137.0 ** 2 * np.radians(min(east - west, 360.0)) * (np.sin(np.radians(north)) - np.sin(np.radians(south)))
    per_square_metre = _cells_per_square_metre(lonlat, resolutions)
    if box * per_square_metre <= max_cells:
        return
    area = _geodesic_area(lonlat)
    estimate = area * per_square_metre
    if estimate > max_cells:
        raise InputError("too_many_cells", f"About {estimate:,.0f} H3 cells would cover the zone ({area / 1e6:,.0f} km²) at resolution "
                         f"{', '.join(map(str, resolutions))}, more than the {max_cells:,.0f} allowed in one run.",
                         estimate=estimate, limit=int(max_cells), resolutions=list(resolutions), area_km2=area / 1e6)


def _cells_per_square_metre(lonlat, resolutions):
    """Cells of ``resolutions`` (all together) per square metre about the territory: H3 cells
    differ in area by up to half from place to place, so by the size of the cell at its middle
    rather than h3's average over the globe."""
    import h3

    middle = shapely.point_on_surface(lonlat)
    longitude = ((shapely.get_x(middle) + 180.0) % 360.0) - 180.0
    return sum(1.0 / h3.cell_area(h3.latlng_to_cell(shapely.get_y(middle), longitude, int(resolution)), "m^2") for resolution in resolutions)


def _geodesic_area(lonlat):
    """The area of a (multi)polygon in longitude/latitude on the WGS 84 ellipsoid, in square
    metres, by the indicators' own ellipsoidal measure."""
    from ..geometry.metrics import EllipsoidalMeasure

    return float(EllipsoidalMeasure(WGS84, 6_378_137.0, 6_356_752.314245179).areas(np.array([lonlat], dtype=object))[0])


@dataclass
class H3Units:
    """Cells of every resolution asked for, one row each: ``ids`` (text), ``resolutions``,
    ``geometries`` (whole cells, or cut to the territory), ``cell_areas``, ``areas_in_zone`` and
    ``parents`` (coarser resolution → each cell's parent there, None where the cell is not wholly
    inside it: H3 cells do not nest exactly).

    ``rings``: the cells as closed rings of coordinates in the territory's CRS, one per row, when
    every cell is a whole simple ring (not clipped, not cut at the antimeridian); a writer takes
    them without making polygons. ``geometries`` are then made from them when first asked for.
    Cut to the territory, a cell that only touches it has no piece: it is left out
    (``touching_only`` counts them)."""

    ids: np.ndarray
    resolutions: np.ndarray
    cell_areas: np.ndarray
    areas_in_zone: np.ndarray
    parents: dict
    rings: BoundaryRings = None
    shapes: np.ndarray = None
    # Cut to the territory, the cells that only touch it (h3's overlap rule counts them) have no
    # piece: left out, and counted here.
    touching_only: int = 0

    @property
    def geometries(self):
        if self.shapes is None:
            self.shapes = self.rings.polygons()
        return self.shapes


def h3_units(territory, crs, resolutions, measure, containment=OVERLAP, clip=False, max_cells=None, on_progress=None, should_stop=None):
    """The cells of each of ``resolutions`` covering ``territory`` (a (multi)polygon in ``crs``),
    measured with ``measure`` (planar or ellipsoidal, as the indicators measure); see ``H3Units``.

    Each resolution is computed on its own (a resolution is never rolled up from a finer one).
    With ``max_cells``, a territory that more cells than that would cover (about: ``estimated_cells``)
    is refused before any is computed: each takes about a kilobyte of memory on the way, and a
    resolution mistyped (12 for 8) would otherwise exhaust it.

    ``on_progress(fraction)`` is told how far the run is; ``should_stop()`` is polled between
    steps (a few seconds apart for millions of cells) and ends the run with ``Cancelled``.
    """
    def checkpoint(fraction=None):
        if should_stop is not None and should_stop():
            raise Cancelled()
        if fraction is not None and on_progress is not None:
            on_progress(fraction)

    resolutions = sorted({int(value) for value in resolutions})
    if not resolutions:
        raise InputError("no_resolution", "Give at least one H3 resolution, from 0 to 15.")
    territory = shapely.make_valid(territory)
    _refuse_far_outside_the_crs(territory, crs)
    if max_cells:
        _refuse_too_many_cells(territory, crs, resolutions, max_cells)
    shapely.prepare(territory)
    # Finding the cells takes about two thirds of the time, measuring them the rest.
    found = []
    for number, resolution in enumerate(resolutions, start=1):
        found.append(cover(territory, crs, resolution, containment, checkpoint))
        checkpoint(0.65 * number / len(resolutions))
    # Areas of whole cells come from their rings; no polygon is made but for the border.
    from_rings = not clip and all(cells.cut is None for cells in found)
    ids, rows, geometries, cell_areas, in_zone = [], [], [], [], []
    for number, cells in enumerate(found, start=1):
        checkpoint(0.65 + 0.3 * (number - 1) / len(found))
        border = ~cells.inside
        if from_rings:
            areas = cells.crs_rings.areas(measure)
            zone_areas = areas.copy()
            # The territory's pieces clipped by the (convex) cells, no overlay.
            zone_areas[border] = _areas_inside(cells.crs_rings.select(np.flatnonzero(border)).polygons(), territory, measure)
        else:
            whole = cells.geometries
            cut = whole.copy()
            areas = measure.areas(whole)
            zone_areas = areas.copy()
            if clip:
                cut[border] = _polygonal_pieces(intersect_one(whole[border], territory))
                zone_areas[border] = 0.0
                zone_areas[border & ~shapely.is_missing(cut)] = measure.areas(cut[border & ~shapely.is_missing(cut)])
            else:
                zone_areas[border] = _areas_inside(whole[border], territory, measure)
            geometries.append(cut if clip else whole)
        ids.append(cells.texts)
        rows.append(np.full(len(cells.ids), cells.resolution, dtype=np.int64))
        cell_areas.append(areas)
        in_zone.append(zone_areas)
    checkpoint(0.95)
    parents = {}
    for coarse in resolutions[:-1]:
        column = []
        for cells in found:
            column.append(np.full(len(cells.ids), None, dtype=object) if cells.resolution <= coarse else _nesting_parents(cells.ids, cells.lonlat, coarse))
        parents[coarse] = np.concatenate(column)
    rings = BoundaryRings.concatenate([cells.crs_rings for cells in found]) if from_rings else None
    units = H3Units(np.concatenate(ids), np.concatenate(rows), np.concatenate(cell_areas), np.concatenate(in_zone), parents,
                    rings, None if from_rings else np.concatenate(geometries))
    if clip:
        pieceless = shapely.is_empty(units.shapes) | shapely.is_missing(units.shapes)
        if pieceless.any():
            kept = ~pieceless
            units = H3Units(units.ids[kept], units.resolutions[kept], units.cell_areas[kept], units.areas_in_zone[kept],
                            {coarse: column[kept] for coarse, column in parents.items()}, None, units.shapes[kept], int(pieceless.sum()))
    return units


def _polygonal_pieces(pieces):
    """The polygons of each of ``pieces`` (intersections): where a cell only touches the
    territory along an edge or at a point, GEOS gives a line, a point or a collection holding them
    beside polygons. None where no polygon is left."""
    from ..geometry.polygon_rings import polygonal
    from ..geometry.repair import POLYGON, simple_parts

    out = np.asarray(pieces, dtype=object).copy()
    mixed = np.flatnonzero(~polygonal(out) | shapely.is_empty(out))
    if len(mixed):
        parts, owner = simple_parts(out[mixed], POLYGON)
        out[mixed] = None
        if len(parts):
            having = np.unique(owner)
            out[mixed[having]] = shapely.multipolygons(parts, indices=np.searchsorted(having, owner))
    return out


# A child cell counts as inside its parent when it sticks out by less than this, in degrees
# (boundaries computed apart differ in their last digits).
_NESTING_TOLERANCE = 1e-9


def _nesting_parents(cells, boundaries, coarse):
    """Each cell's parent at resolution ``coarse`` as text, None where the cell is not inside it.

    ``boundaries`` are the cells' polygons in longitude/latitude. A parent convex there (all but
    coarse ones near a pole or across 180°) holds a child when each of its vertices is on the inner
    side of each of the parent's edges; the others are tested by GEOS."""
    from ..geometry import polygon_rings
    from ..geometry.convex import convex_polygons
    from .h3boundaries import cell_parents

    if not len(cells):
        return np.zeros(0, dtype=object)
    parents = cell_parents(cells, coarse)
    distinct, index = np.unique(parents, return_inverse=True)
    child_rings = polygon_rings.rings(boundaries)
    parent_shapes = cell_boundaries(distinct)
    convex, hulls, offsets = convex_polygons(polygon_rings.rings(parent_shapes))
    counts = np.diff(offsets)
    # Every child vertex against every edge of its parent (a pentagon's edges as many as it has).
    vertex_child = np.repeat(np.arange(len(cells)), np.diff(child_rings.offsets))
    vertices = child_rings.coordinates
    nests = np.ones(len(cells), dtype=bool)
    vertex_parent = index[vertex_child]
    for edge in range(int(counts.max()) if len(counts) else 0):
        # The vertices of the children whose parent has this edge (none for a parent not convex).
        tested = np.flatnonzero(counts[vertex_parent] > edge)
        parent, points = vertex_parent[tested], vertices[tested]
        start = hulls[offsets[parent] + edge]
        end = hulls[offsets[parent] + (edge + 1) % counts[parent]]
        # Near the antimeridian a child and its parent may sit on either side of 360°.
        x = points[:, 0] + np.round((start[:, 0] - points[:, 0]) / 360.0) * 360.0
        side = (end[:, 0] - start[:, 0]) * (points[:, 1] - start[:, 1]) - (end[:, 1] - start[:, 1]) * (x - start[:, 0])
        outside = side < -_NESTING_TOLERANCE * np.hypot(end[:, 0] - start[:, 0], end[:, 1] - start[:, 1])
        nests[vertex_child[tested[outside]]] = False
    # A coarse parent near a pole or across 180° is not convex in longitude/latitude: tested by GEOS.
    bent = np.flatnonzero(~convex[index])
    if len(bent):
        parents_bent = parent_shapes[index[bent]]
        children = np.asarray(boundaries, dtype=object)[bent].copy()
        coordinates, owner = shapely.get_coordinates(children, return_index=True)
        # On the parent's side of 360° first, as above.
        turns = 360.0 * np.round((shapely.bounds(parents_bent)[:, 0] - shapely.bounds(children)[:, 0]) / 360.0)
        coordinates[:, 0] += turns[owner]
        shapely.set_coordinates(children, coordinates)
        nests[bent] = shapely.covers(shapely.buffer(parents_bent, _NESTING_TOLERANCE), children)
    texts = h3_texts(distinct)[index]
    texts[~nests] = None
    return texts
