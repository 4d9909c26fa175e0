"""Areas and lengths, planar or on an ellipsoid, the way QGIS's native algorithms measure them.

QGIS 3.22 measures with ``QgsDistanceArea``: planar in the layer's CRS when the ellipsoid is
``NONE``; otherwise each vertex is transformed to longitude/latitude on the ellipsoid and rings
are measured as geodesic polygons, lines as sums of geodesic distances. pyproj's ``Geod`` runs the
same GeographicLib algorithms, so our figures match the native ones to rounding error (measured:
1.8e-12 relative), not merely to the difference between two area formulas.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely

from ..geometry.arrays import group_sums
from ..geometry.polygon_rings import shoelace
from ..geometry.repair import LINE, POLYGON, simple_parts


@dataclass(frozen=True)
class PlanarMeasure:
    """Areas and lengths in the units of the data's CRS (square metres for a projected CRS in metres)."""

    # The area of a surface is the sum of the areas of any pieces it is cut into.
    additive = True
    ellipsoidal = False

    def areas(self, geometries):
        return np.nan_to_num(shapely.area(geometries))

    def lengths(self, geometries):
        parts, owner = simple_parts(geometries, LINE)
        return group_sums(owner, shapely.length(parts), len(geometries))

    def ring_areas(self, coordinates, offsets, points=None, point_of=None):
        """Area of each ring given as coordinates (closed or not): ring ``i`` is
        ``coordinates[offsets[i]:offsets[i + 1]]``. ``points`` and ``point_of`` serve the
        ellipsoidal measure; planar areas need only the coordinates."""
        return np.abs(shoelace(coordinates, offsets))


@dataclass(frozen=True)
class EllipsoidalMeasure:
    """Areas (m²) and lengths (m) on an ellipsoid, for geometries in the CRS ``crs``.

    ``crs`` is anything pyproj accepts (WKT, ``EPSG:2154``); ``semi_major`` and ``semi_minor`` in
    metres define the ellipsoid. Like QGIS, vertices go to longitude/latitude on a datum that only
    knows that ellipsoid, so PROJ changes no coordinates between datums (a "ballpark" transform).
    """

    crs: str
    semi_major: float
    semi_minor: float
    name: str = ""
    _to_lonlat: object = field(default=None, init=False, repr=False, compare=False)
    # Geodesic edges join vertices: cutting a surface adds vertices on its straight projected edges
    # and changes its measured area slightly (about 1e-5 here), so pieces do not add up exactly.
    additive = False
    ellipsoidal = True
    _geod: object = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self):
        # pyproj objects are not picklable; a Dask worker rebuilds its own.
        return {"crs": self.crs, "semi_major": self.semi_major, "semi_minor": self.semi_minor, "name": self.name}

    def __setstate__(self, state):
        for key, value in state.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_to_lonlat", None)
        object.__setattr__(self, "_geod", None)


    def transformer(self):
        if self._to_lonlat is None:
            from pyproj import CRS, Transformer

            target = CRS.from_proj4(f"+proj=longlat +a={self.semi_major!r} +b={self.semi_minor!r} +no_defs +type=crs")
            transformer = Transformer.from_crs(CRS.from_user_input(self.crs), target, always_xy=True)
            object.__setattr__(self, "_to_lonlat", transformer)
        return self._to_lonlat

    def _lonlat_coordinates(self, geometries):
        coordinates, index = shapely.get_coordinates(geometries, return_index=True)
        lon, lat = self.transformer().transform(coordinates[:, 0], coordinates[:, 1])
        return np.asarray(lon), np.asarray(lat), index

    def areas(self, geometries):
        geometries = np.asarray(geometries, dtype=object)
        polygons, owner = simple_parts(geometries, POLYGON)
        if len(polygons) == 0:
            return np.zeros(len(geometries))
        rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
        # get_rings lists each polygon's exterior first, then its holes, which are subtracted.
        first_ring = np.r_[True, ring_polygon[1:] != ring_polygon[:-1]]
        sign = np.where(first_ring, 1.0, -1.0)
        lon, lat, vertex_ring = self._lonlat_coordinates(rings)
        ring_areas = self._geodesic_areas(lon, lat, np.searchsorted(vertex_ring, np.arange(len(rings) + 1)))
        polygon_areas = group_sums(ring_polygon, sign * ring_areas, len(polygons))
        return group_sums(owner, polygon_areas, len(geometries))

    def ring_areas(self, coordinates, offsets, points=None, point_of=None):
        """Geodesic area of each ring given as coordinates in the measure's CRS (closed or not):
        ring ``i`` is ``coordinates[offsets[i]:offsets[i + 1]]``. Where rings share their
        vertices (a grid), ``points`` holds each once and ring vertex ``v`` is
        ``points[point_of[v]]``: each is then moved to longitude/latitude once."""
        if points is not None and point_of is not None:
            lon, lat = self.transformer().transform(points[:, 0], points[:, 1])
            lon, lat = np.asarray(lon)[point_of], np.asarray(lat)[point_of]
        else:
            lon, lat = self.transformer().transform(coordinates[:, 0], coordinates[:, 1])
        return self._geodesic_areas(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), offsets)

    def _geodesic_areas(self, lon, lat, offsets):
        """Area of each ring of vertices in longitude/latitude (GeographicLib, ring by ring)."""
        bounds = np.asarray(offsets).tolist()
        geod = self.geod()
        # pyproj's compiled call without its Python wrapper (a third of the time per ring), when
        # this pyproj has it; the same GeographicLib computation either way.
        compiled = getattr(geod, "_polygon_area_perimeter", None)
        if compiled is not None:
            areas = [abs(compiled(lon[start:end], lat[start:end], False)[0]) for start, end in zip(bounds[:-1], bounds[1:])]
        else:
            areas = [abs(geod.polygon_area_perimeter(lon[start:end], lat[start:end])[0]) for start, end in zip(bounds[:-1], bounds[1:])]
        return np.array(areas, dtype=float).reshape(-1)

    def geod(self):
        if self._geod is None:
            from pyproj import Geod

            object.__setattr__(self, "_geod", Geod(a=self.semi_major, b=self.semi_minor))
        return self._geod

    def lengths(self, geometries):
        geometries = np.asarray(geometries, dtype=object)
        lines, owner = simple_parts(geometries, LINE)
        if len(lines) == 0:
            return np.zeros(len(geometries))
        lon, lat, vertex_line = self._lonlat_coordinates(lines)
        same = vertex_line[1:] == vertex_line[:-1]
        _, _, distances = self.geod().inv(lon[:-1][same], lat[:-1][same], lon[1:][same], lat[1:][same])
        line_lengths = group_sums(vertex_line[1:][same], distances, len(lines))
        return group_sums(owner, line_lengths, len(geometries))


def metres_per_crs_unit(crs):
    """Metres in the unit of the first axis of ``crs`` (anything pyproj takes), as its definition
    gives it: 0.3048 for the foot, 1200/3937 for the US survey foot of most US State Plane CRSs
    (QGIS 3.22 knows only the former); None where PROJ cannot read the definition."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        axes = CRS.from_user_input(crs).axis_info
    except CRSError:
        return None
    return float(axes[0].unit_conversion_factor) if axes and axes[0].unit_conversion_factor else None


def describe_measure(measure):
    """What of a measure changes a result, as JSON values (for a run's fingerprint)."""
    if getattr(measure, "ellipsoidal", False):
        return {"kind": "ellipsoidal", "crs": str(measure.crs), "semi_major": float(measure.semi_major), "semi_minor": float(measure.semi_minor)}
    return {"kind": type(measure).__name__}
