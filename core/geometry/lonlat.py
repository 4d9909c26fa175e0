"""Longitude and latitude across the antimeridian, for H3 cells and for layers reprojected there.

Where a CRS cuts the globe (its seam: 180° in longitude/latitude, half a turn from the central
meridian of a cylindrical map), a geometry drawn across it in another CRS comes out of a vertex-by-
vertex reprojection with an edge running the whole width of the map: a polygon spanning the globe.
``unwrapped`` makes each ring's longitudes continuous again, ``cut_at_seam`` cuts a geometry where
the seam runs and brings each piece onto the map, and ``to_crs`` moves coordinates with pyproj,
longitude first whatever a CRS's axis order.
"""

import numpy as np
import shapely

WGS84 = "EPSG:4326"
# Longitudes this far beyond ±180° (degrees) are rounding, not data given beyond the antimeridian:
# Natural Earth's countries stop at 180.00000000000006.
LONGITUDE_SLACK = 1e-7


def unwrapped(lonlat, moved=True):
    """The territory with each ring's longitudes continuous, and whether the cells are to be taken
    in longitudes from 0 to 360 (the territory was given beyond 180°, as Pacific data often is).

    A polygon drawn across the antimeridian in a projected CRS comes back from pyproj with its
    longitudes jumping from 180 to -180: each jump is undone along the ring, and a hole is kept
    beside its exterior. A ring going round a pole (its longitudes never come back) is left as it
    is. Parts are never merged nor moved one against another here: a territory spanning the globe
    (a world layer) stays valid. A territory given in longitude/latitude (not ``moved`` there from
    a projected CRS) is kept as given: its edges are straight in degrees, as QGIS draws them (an
    edge from 179° to -179° runs across the map, not across 180°)."""
    shifted = bool(shapely.bounds(lonlat)[2] > 180.0 + LONGITUDE_SLACK)
    if not moved:
        return lonlat, shifted
    parts = shapely.get_parts(lonlat)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coordinates, ring_of = shapely.get_coordinates(rings, return_index=True)
    if not len(coordinates):
        return lonlat, shifted
    steps = np.diff(coordinates[:, 0])
    steps[np.diff(ring_of) != 0] = 0.0  # from one ring to the next is no step
    if not (np.abs(steps) > 180.0).any():
        return lonlat, shifted
    turns = np.r_[0.0, np.cumsum(np.where(np.abs(steps) > 180.0, -360.0 * np.sign(steps), 0.0))]
    starts = np.r_[0, np.flatnonzero(np.diff(ring_of)) + 1]
    ends = np.r_[starts[1:], len(ring_of)] - 1
    turns -= turns[starts][ring_of]
    turns[(turns[ends] != 0.0)[ring_of]] = 0.0  # round a pole: left as given
    lon = coordinates[:, 0] + turns
    # A hole where its exterior is: each ring moved by whole turns next to its part's exterior.
    middles = 0.5 * (np.minimum.reduceat(lon, starts) + np.maximum.reduceat(lon, starts))
    exterior_of_part = np.r_[0, np.flatnonzero(np.diff(part_of_ring)) + 1]
    exterior_middles = middles[exterior_of_part][part_of_ring]
    lon += (360.0 * np.round((exterior_middles - middles) / 360.0))[ring_of]
    return shapely.set_coordinates(np.array([lonlat], dtype=object), np.column_stack([lon, coordinates[:, 1]]))[0], shifted


def seam_longitude(crs, territory=None):
    """The longitude where ``crs`` cuts the globe, None where it does not (or the ``territory``, when
    given, lies beyond it): 180 in a geographic CRS when the territory's longitudes stay within ±180; in a projected CRS, half
    a turn from its central meridian when two points a hair apart across it land far apart there
    (Mercator, Equal Earth), not in an azimuthal one (polar stereographic) nor where the
    projection is undefined (transverse Mercator)."""
    from pyproj import CRS, Transformer

    crs = CRS.from_user_input(crs)
    if crs.is_geographic:
        if territory is None:
            return 180.0
        west, _south, east, _north = shapely.bounds(territory)
        return None if east > 180.0 + LONGITUDE_SLACK or west < -180.0 - LONGITUDE_SLACK else 180.0
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # only the central meridian is read from the PROJ string
            seam = float(crs.to_dict().get("lon_0", 0.0)) + 180.0
    except (TypeError, ValueError):
        return None
    x, y = Transformer.from_crs(CRS.from_user_input(WGS84), crs, always_xy=True).transform(
        np.array([seam - 2e-6, seam - 1e-6, seam + 1e-6 - 360.0]), np.zeros(3))
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        return None
    step = np.hypot(x[1] - x[0], y[1] - y[0])
    return seam if np.hypot(x[2] - x[1], y[2] - y[1]) > 1e3 * max(step, 1e-12) else None


def to_crs(geometries, source, target):
    """``geometries`` from CRS ``source`` to ``target`` (anything pyproj takes), x = longitude for
    geographic CRSs whatever their axis order."""
    return shapely.transform(np.asarray(geometries, dtype=object), lambda xy: to_crs_coordinates(xy, source, target))


def to_crs_coordinates(coordinates, source, target):
    """Coordinates (an (n, 2) array) from CRS ``source`` to ``target``, x = longitude for geographic CRSs."""
    from pyproj import CRS, Transformer

    source, target = CRS.from_user_input(source), CRS.from_user_input(target)
    if source == target or not len(coordinates):
        return coordinates
    x, y = Transformer.from_crs(source, target, always_xy=True).transform(coordinates[:, 0], coordinates[:, 1])
    return np.column_stack([x, y])


def with_long_edges(geometries, limit=180.0):
    """Which of ``geometries`` (longitude/latitude) have an edge longer than ``limit`` degrees of
    longitude: drawn from 179° to -179°, an edge runs across the map, where h3 and a reader of
    longitudes would take it across 180°."""
    geometries = np.asarray(geometries, dtype=object)
    parts, part_owner = shapely.get_parts(geometries, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    lines = shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING
    paths = np.concatenate([rings, parts[lines]])
    owners = np.concatenate([part_owner[ring_part], part_owner[lines]])
    coordinates, path_of = shapely.get_coordinates(paths, return_index=True)
    long_edge = (np.abs(np.diff(coordinates[:, 0])) > limit) & (np.diff(path_of) == 0)
    found = np.zeros(len(geometries), dtype=bool)
    found[owners[path_of[1:][long_edge]]] = True
    return found


def cut_at_seam(lonlat, seam, moved=True):
    """``lonlat`` (a polygon or a line in longitude/latitude) cut where the meridian ``seam`` (and
    the same a turn away) runs, each piece brought within a turn west of it: the geometry as a map
    cut at ``seam`` holds it. None when it does not cross ``seam``. Longitudes ``moved`` there
    vertex by vertex from a projected CRS are made continuous first (``unwrapped``); a geometry
    given in longitude/latitude is taken as drawn, its edges straight in degrees."""
    lines = shapely.get_type_id(lonlat) in (shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING)
    continuous = _unwrapped_lines(lonlat) if lines and moved else unwrapped(lonlat, moved)[0] if moved else lonlat
    west, south, east, north = shapely.bounds(continuous)
    turns = np.arange(np.floor((west - seam) / 360.0), np.ceil((east - seam) / 360.0)) if np.isfinite(west) else []
    if len(turns) < 2:
        return None
    pieces = []
    for turn in turns:  # the strip from seam + 360 turn to seam + 360 (turn + 1), brought back a turn west of seam
        left = seam + 360.0 * turn
        strip = shapely.intersection(continuous, shapely.box(left, south - 1.0, left + 360.0, north + 1.0))
        if not shapely.is_empty(strip):
            pieces.append(shapely.transform(strip, lambda xy, shift=360.0 * (turn + 1): xy - np.array([shift, 0.0])))
    parts = shapely.get_parts(np.array(pieces, dtype=object))
    parts = parts[shapely.get_dimensions(parts) == shapely.get_dimensions(lonlat)]
    return shapely.multilinestrings(parts) if lines else shapely.multipolygons(parts)


def _unwrapped_lines(lonlat):
    """A line's (or lines') longitudes made continuous along each part."""
    coordinates, part_of = shapely.get_coordinates(lonlat, return_index=True)
    steps = np.diff(coordinates[:, 0])
    steps[np.diff(part_of) != 0] = 0.0
    turns = np.r_[0.0, np.cumsum(np.where(np.abs(steps) > 180.0, -360.0 * np.sign(steps), 0.0))]
    starts = np.r_[0, np.flatnonzero(np.diff(part_of)) + 1]
    turns -= turns[starts][part_of]
    return shapely.set_coordinates(np.array([lonlat], dtype=object), np.column_stack([coordinates[:, 0] + turns, coordinates[:, 1]]))[0]
