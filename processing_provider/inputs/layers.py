"""From Processing sources to the core's plain data (shapely arrays, Python values): reading layers,
and the checks a layer must pass first (its CRS, its filter).

numpy and shapely are imported where they are used: listing the algorithms loads none of them.

Its length (about 530 lines): the three ways features are read (Processing's iterator, OGR
straight from the file, references the workers read) share the same checks and geometry parsing.
"""

import os
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsExpression,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProviderRegistry,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime, QVariant

from .. import fields as types
from ..i18n import tr

_CANCEL_CHECK_EVERY = 1000


def python_value(value):
    """A QGIS attribute value as a plain Python value (None for NULL, ISO text for dates)."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if isinstance(value, (QDate, QDateTime, QTime)):
        return value.toString(Qt.DateFormat.ISODate)
    if isinstance(value, QVariant):
        return value.value()
    return value


def field_index(source, name, layer_label):
    """Index of field ``name`` in ``source``, or an error naming the layer and the field."""
    index = source.fields().lookupField(name)
    if index < 0:
        raise QgsProcessingException(
            tr("The field '{field}' does not exist in the layer '{layer}'. Choose one of its fields: {fields}.",
               field=name, layer=layer_label, fields=", ".join(source.fields().names()))
        )
    return index


@dataclass
class Read:
    """What was read from a layer: ``geometries`` (a shapely array, None where a feature has none),
    ``values`` (attribute index → list of values), ``features`` (when asked for), ``wkb`` (the
    geometries as the file holds them, fast path only), ``fixed`` (geometries that only GDAL could
    read: curves made straight, rings closed), ``unreadable`` (taken as without geometry) and
    ``cut_at_seam`` (the ids of features reprojected across the seam of the CRS they were read in,
    cut there, and the CRS)."""

    geometries: object
    values: dict
    features: list = None
    wkb: object = None
    fixed: int = 0
    unreadable: int = 0
    cut_at_seam: tuple = ((), None)


def read_geometries(source, feedback, attributes=(), destination_crs=None, context=None, keep_features=False):
    """Geometries of ``source`` as a shapely array, the values of ``attributes`` and maybe the
    features, as a ``Read`` (None when the user cancelled).

    Curves are segmentised and Z/M dropped (areas and lengths are 2D), feature by feature in a
    layer of generic geometry type; invalid geometries are kept as they are, the core repairs them
    and counts them. With ``destination_crs`` features are reprojected.
    """
    import numpy as np

    request = QgsFeatureRequest()
    if not keep_features:
        request.setSubsetOfAttributes(list(attributes))
    if destination_crs is not None:
        request.setDestinationCrs(destination_crs, context.transformContext())
    layer_type = source.wkbType()
    # A layer of generic type (a GeoPackage "GEOMETRY" column) may hold curves or Z among others.
    generic = QgsWkbTypes.flatType(layer_type) in (QgsWkbTypes.Unknown, QgsWkbTypes.GeometryCollection, QgsWkbTypes.NoGeometry)
    curved = QgsWkbTypes.isCurvedType(layer_type)
    extra_dimensions = QgsWkbTypes.hasZ(layer_type) or QgsWkbTypes.hasM(layer_type)
    wkbs, values, features = [], {index: [] for index in attributes}, [] if keep_features else None
    reprojected = destination_crs is not None and destination_crs != source.sourceCrs()
    ids = [] if reprojected else None
    total = source.featureCount() or 1
    iterator = source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)
    for count, feature in enumerate(iterator):
        if count % _CANCEL_CHECK_EVERY == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(100.0 * count / total)
        geometry = feature.geometry()
        if geometry.isNull():
            wkbs.append(None)
        else:
            if generic:
                own_type = geometry.wkbType()
                curved, extra_dimensions = QgsWkbTypes.isCurvedType(own_type), QgsWkbTypes.hasZ(own_type) or QgsWkbTypes.hasM(own_type)
            if curved or extra_dimensions:
                abstract = geometry.constGet().segmentize() if curved else geometry.constGet().clone()
                abstract.dropZValue()
                abstract.dropMValue()
                wkbs.append(bytes(abstract.asWkb()))
            else:
                wkbs.append(bytes(geometry.asWkb()))
        for index in attributes:
            values[index].append(python_value(feature.attribute(index)))
        if keep_features:
            features.append(feature)
        if reprojected:
            ids.append(feature.id())
    geometries, fixed, unreadable = parse_wkb(np.array(wkbs, dtype=object))
    cut = _mend_across_the_seam(source, geometries, ids, destination_crs, context) if reprojected else ()
    return Read(geometries, values, features, None, fixed, unreadable, (cut, destination_crs))


def _mend_across_the_seam(source, geometries, ids, crs, context):
    """Features QGIS reprojected into ``crs`` across the meridian where ``crs`` cuts the globe
    (180° in longitude/latitude, half a turn from the central meridian of a Mercator map), cut
    there instead; ``geometries`` are mended in place and the ids of those features returned.

    QGIS moves a geometry vertex by vertex: a unit of EPSG:3832 across 180° came out of EPSG:4326
    with edges running round the world, a polygon spanning the globe over units it does not touch.
    Such features are read again as stored, moved to the longitudes and latitudes of ``crs``'s
    datum, cut at the seam where they cross it, and each piece moved into ``crs``. A geometry
    stored in longitude/latitude is taken as drawn (its edges straight in degrees)."""
    import numpy as np
    import shapely
    from pyproj import CRS

    from ...core.geometry import lonlat

    definition = crs_definition(crs)
    seam = lonlat.seam_longitude(definition)
    if seam is None or not len(geometries):
        return ()
    target = CRS.from_user_input(definition)
    if target.is_geographic:
        half_world = 180.0
    else:
        edges = lonlat.to_crs_coordinates(np.array([[seam - 1e-6, 0.0], [seam + 1e-6 - 360.0, 0.0]]), lonlat.WGS84, definition)
        half_world = abs(edges[1, 0] - edges[0, 0]) / 2.0
    # An edge longer than half the map: perhaps a geometry across the seam (or parts far apart).
    coordinates, owner = shapely.get_coordinates(geometries, return_index=True)
    jumps = (np.abs(np.diff(coordinates[:, 0])) > half_world) & (np.diff(owner) == 0)
    candidates = np.unique(owner[1:][jumps])
    if not len(candidates):
        return ()
    geographic = QgsCoordinateReferenceSystem.fromWkt(target.geodetic_crs.to_wkt()) if not target.is_geographic else crs
    to_lonlat = QgsCoordinateTransform(source.sourceCrs(), geographic, context.transformContext())
    to_crs = QgsCoordinateTransform(geographic, crs, context.transformContext())
    moved = not source.sourceCrs().isGeographic()
    position_of = {ids[position]: position for position in candidates}
    request = QgsFeatureRequest().setFilterFids(list(position_of)).setNoAttributes()
    cut = []
    for feature in source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks):
        geometry = QgsGeometry(feature.geometry())
        if geometry.isNull() or geometry.transform(to_lonlat) != 0:
            continue
        pieces = lonlat.cut_at_seam(shapely.from_wkb(_plain_wkb(geometry)), seam, moved)
        if pieces is None:
            continue
        mended = QgsGeometry()
        mended.fromWkb(shapely.to_wkb(pieces))
        if mended.transform(to_crs) == 0:
            geometries[position_of[feature.id()]] = shapely.from_wkb(_plain_wkb(mended))
            cut.append(feature.id())
    return tuple(sorted(cut))


def feature_ids_at(source, positions):
    """The ids of the features read at ``positions`` (0 for the first read), as the analyst finds
    them in the layer (a GeoPackage's fid): the core knows its features by position."""
    wanted = {int(position): None for position in positions}
    if not wanted:
        return list(positions)
    last = max(wanted)
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setNoAttributes()
    # As the features were read: an invalid geometry neither skipped nor stopping the run.
    for position, feature in enumerate(source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)):
        if position in wanted:
            wanted[position] = feature.id()
        if position >= last:
            break
    return [wanted[int(position)] if wanted[int(position)] is not None else position for position in positions]


def _plain_wkb(geometry):
    """A QgsGeometry's WKB in two dimensions, curves made straight."""
    abstract = geometry.constGet().segmentize() if QgsWkbTypes.isCurvedType(geometry.wkbType()) else geometry.constGet().clone()
    abstract.dropZValue()
    abstract.dropMValue()
    return bytes(abstract.asWkb())


def of_the_layers_type(geometries, layer_type):
    """Whether every geometry is of the layer's 2D type (a polygon or a multipolygon, as it
    says): a layer of generic type in the file takes QGIS's type from its first feature, and the
    others may have Z or several parts."""
    import numpy as np
    import shapely

    present = geometries[~shapely.is_missing(geometries)]
    # A multipolygon layer may hold single polygons (a Shapefile's): QGIS gives them as multipolygons.
    allowed = [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON] if QgsWkbTypes.isMultiType(layer_type) else [shapely.GeometryType.POLYGON]
    return QgsWkbTypes.geometryType(layer_type) == QgsWkbTypes.PolygonGeometry and bool(np.isin(shapely.get_type_id(present), allowed).all()) \
        and not shapely.has_z(present).any()


def parse_wkb(wkbs):
    """shapely geometries from WKB; what GEOS cannot read (an unclosed ring, a curve) is read by
    GDAL, made straight and closed, and counted. Returns ``(geometries, fixed, unreadable)``."""
    import numpy as np
    import shapely

    geometries = shapely.from_wkb(wkbs, on_invalid="ignore")
    given = np.array([wkb is not None for wkb in wkbs], dtype=bool)
    failed = np.flatnonzero(shapely.is_missing(geometries) & given)
    fixed = 0
    for position in failed:
        geometry = _read_with_gdal(wkbs[position])
        if geometry is not None:
            geometries[position] = geometry
            fixed += 1
    return geometries, fixed, len(failed) - fixed


def _read_with_gdal(wkb):
    import shapely

    try:
        from osgeo import ogr

        geometry = ogr.CreateGeometryFromWkb(bytes(wkb))
        if geometry is None:
            return None
        geometry = geometry.GetLinearGeometry()
        geometry.CloseRings()
        geometry.FlattenTo2D()
        return shapely.from_wkb(bytes(geometry.ExportToIsoWkb()), on_invalid="ignore")
    except (ImportError, RuntimeError, AttributeError):
        return None


_ARROW_FIELD_TYPES = {types.STRING, types.INT, types.LONG, types.DOUBLE}


def read_ogr_columns(layer, attributes, target_crs, feedback):
    """Fast path of ``read_geometries`` for a whole file layer read as is: GDAL's columnar reader.

    Iterating 200 000 features through QgsFeature costs seconds; GDAL (3.6+) hands over the same
    geometries as WKB arrays in a fraction of that. Returns None when the layer does not qualify
    (not an OGR file, a subset string, a CRS to transform, curves or M values, field types other
    than text and numbers) or when the counts disagree; the caller then takes the general path.
    Otherwise a ``Read`` whose ``wkb`` holds the geometries as GDAL gave them (None when some had
    to be fixed: the file's WKB is then not what the core must see).
    """
    import numpy as np

    try:
        from osgeo import ogr
    except ImportError:
        return None
    location = ogr_file_location(layer, target_crs, attributes)
    if location is None or not hasattr(ogr.Layer, "GetArrowStreamAsNumPy"):
        return None
    fields = layer.fields()
    try:
        data_source = ogr.Open(location[0])
        ogr_layer = data_source.GetLayerByName(location[1])
        names = {index: fields.at(index).name() for index in attributes}
        if names:
            # GDAL 3.6 returns empty geometries when every field is ignored: only ignore some.
            definition = ogr_layer.GetLayerDefn()
            all_names = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
            ogr_layer.SetIgnoredFields([name for name in all_names if name not in names.values()])
        geometry_column = ogr_layer.GetGeometryColumn() or "wkb_geometry"
        wkbs, values = [], {index: [] for index in attributes}
        # A GeoPackage's feature id is a field in QGIS ("fid"), GDAL's FID column apart.
        with_fid = bool(ogr_layer.GetFIDColumn()) and ogr_layer.GetFIDColumn() in names.values()
        for batch in ogr_layer.GetArrowStreamAsNumPy(options=[f"INCLUDE_FID={'YES' if with_fid else 'NO'}"]):
            if feedback.isCanceled():
                return Read(None, None)
            column = batch[geometry_column]
            if column.dtype.kind == "V":
                # GDAL packs a batch whose WKBs all have one size as fixed-width binary.
                column = np.array([value.tobytes() for value in column], dtype=object)
            elif column.dtype.kind != "O":
                return None
            wkbs.append(column)
            for index, name in names.items():
                values[index].extend(_column_values(batch[name]))
    except (RuntimeError, KeyError, AttributeError, TypeError, UnicodeError):
        # TypeError, UnicodeError: bytes that are not UTF-8 in a layer said to be (a Shapefile
        # without .cpg): QGIS reads them its way, as the analyst sees them.
        return None
    finally:
        data_source = None
    wkbs = np.concatenate(wkbs).astype(object) if wkbs else np.array([], dtype=object)
    empty = np.array([not value for value in wkbs], dtype=bool)
    if len(wkbs) != layer.featureCount() or (len(wkbs) and empty.all()):
        return None
    wkbs[empty] = None  # NULL geometries
    geometries, fixed, unreadable = parse_wkb(wkbs)
    return Read(geometries, values, None, None if fixed or unreadable else wkbs, fixed, unreadable)


def ogr_file_location(layer, target_crs, attributes=(), for_workers=False):
    """``(path, layer name)`` of a whole OGR layer that others can open as is, or None.

    Same conditions as ``read_ogr_columns``: no subset string, already in ``target_crs``, no curves
    nor M values, attributes of text and numbers, text that GDAL hands as QGIS reads it (see
    ``_text_read_alike``), so that a reader outside QGIS (pyogrio on a Dask worker, with
    ``for_workers``) sees the very features QGIS sees.
    """
    if layer is None or layer.providerType() != "ogr" or layer.subsetString():
        return None
    if not _text_read_alike(layer, for_workers):
        return None
    if layer.crs() != target_crs or QgsWkbTypes.isCurvedType(layer.wkbType()) or QgsWkbTypes.hasM(layer.wkbType()):
        return None
    if any(layer.fields().at(index).type() not in _ARROW_FIELD_TYPES for index in attributes):
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, name = parts.get("path"), parts.get("layerName")
    if not path:
        return None
    if os.path.exists(path):
        # A path given relative to the working folder (qgis_process in a cron job's folder) means
        # nothing to a worker, nor to the shared folders' mapping.
        path = os.path.abspath(path)
    if not name:
        try:
            from osgeo import ogr

            data_source = ogr.Open(path)
            name = data_source.GetLayer(parts.get("layerId") or 0).GetName()
            data_source = None
        except (ImportError, RuntimeError, AttributeError):
            return None
    return path, name


def _text_read_alike(layer, for_workers):
    """Whether GDAL hands the layer's text (field names and values) as QGIS reads it.

    QGIS decodes a Shapefile's text itself, by the encoding of its .cpg (French data is often
    ISO-8859-1) or the one chosen in the layer's properties, and has GDAL in this process hand
    over the file's bytes: they are text only when that encoding is UTF-8. A Dask worker's GDAL
    decodes by the .cpg, and takes ISO-8859-1 without one: it reads what QGIS reads only where a
    .cpg says UTF-8. GeoPackages and the like hold UTF-8, and QGIS says so."""
    provider = layer.dataProvider()
    if provider is None or provider.encoding().replace("-", "").upper() != "UTF8":
        return False
    if not for_workers or provider.storageType() != "ESRI Shapefile":
        return True
    path = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path") or ""
    code_page = os.path.splitext(path)[0] + ".cpg"
    try:
        with open(code_page, encoding="ascii", errors="replace") as handle:
            declared = handle.read().strip().replace("-", "").upper()
    except OSError:
        return False
    return declared in ("UTF8", "65001")


def postgis_table(layer, target_crs, attributes=()):
    """Where the workers find a whole PostGIS table layer themselves, or None.

    A dict of ``sources.PostgisReference`` arguments: the libpq connection string (a QGIS
    authentication configuration expanded into user and password), schema, table, geometry column,
    key column and the layer's filter. None for anything a plain query by bounding box would not
    read as QGIS does: an SQL query layer, no single integer key, another CRS than ``target_crs``,
    curves or M values, attributes that are not text or numbers.
    """
    if layer is None or layer.providerType() != "postgres":
        return None
    if layer.crs() != target_crs or QgsWkbTypes.isCurvedType(layer.wkbType()) or QgsWkbTypes.hasM(layer.wkbType()):
        return None
    if any(layer.fields().at(index).type() not in _ARROW_FIELD_TYPES for index in attributes):
        return None
    uri = QgsDataSourceUri(layer.source())
    table, key = uri.table(), uri.keyColumn().strip('"')
    if not table or table.startswith("(") or not key or "," in key or not uri.geometryColumn():
        return None
    key_index = layer.fields().lookupField(key)
    if key_index < 0 or layer.fields().at(key_index).type() not in (types.INT, types.LONG):
        return None
    return {
        "connection": uri.connectionInfo(True),
        "schema": uri.schema() or "public",
        "table": table,
        "geometry_column": uri.geometryColumn(),
        "key_column": layer.fields().at(key_index).name(),
        "where": layer.subsetString(),
        "host": uri.host(),
    }


def _column_values(column):
    """A column of GDAL's numpy batch as Python values: text decoded, NULL as None."""
    import numpy as np

    mask = np.ma.getmaskarray(column) if isinstance(column, np.ma.MaskedArray) else np.zeros(len(column), bool)
    data = np.ma.getdata(column)
    if data.dtype.kind in "SO":
        decoded = [value.decode("utf-8") if isinstance(value, bytes) else value for value in data.tolist()]
    else:
        decoded = data.tolist()
    return [None if missing else value for value, missing in zip(decoded, mask)]


def crs_definition(crs):
    """The CRS as text for the core and the workers (pyproj, GDAL): its WKT2. QGIS 3.22's default
    WKT1 is empty for projections it has no WKT1 for (Equal Earth, EPSG:8857, among them)."""
    return crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED) or crs.authid() or crs.toProj()


def has_crs(crs):
    """False for no CRS, and for the placeholders GDAL gives a GeoPackage layer without one
    ("Undefined geographic SRS", "Undefined cartesian SRS"), which QGIS takes as valid."""
    return crs.isValid() and not (not crs.authid() and crs.description().lower().startswith("undefined"))


def check_crs(units_crs, units_label, other_crs, other_label, other_is_raster=False):
    """The units and the layer measured over them (theme, raster) have a CRS each, or neither.

    One without the other cannot be placed over it (QGIS then drops every feature silently);
    returns a warning when neither has one (coordinates taken as they are), else None. The tool
    named to set the CRS is the one for the layer's kind: native:assignprojection takes vectors
    only, a raster's is gdal:assignprojection.
    """
    if has_crs(units_crs) != has_crs(other_crs):
        missing, present = (other_label, units_crs) if has_crs(units_crs) else (units_label, other_crs)
        if has_crs(units_crs) and other_is_raster:
            raise QgsProcessingException(
                tr("The raster '{layer}' has no coordinate reference system (CRS), so it cannot be placed over the units ({crs}). "
                   "Set its CRS (Layer Properties > Source; with qgis_process, run gdal:assignprojection on it first, which writes it into the file) "
                   "and run again.", layer=missing, crs=present.authid() or present.description())
            )
        raise QgsProcessingException(
            tr("The layer '{layer}' has no coordinate reference system (CRS), so it cannot be placed over the other layer ({crs}). "
               "Set its CRS (Layer Properties > Source; with qgis_process, run native:assignprojection on it first) and run again.",
               layer=missing, crs=present.authid() or present.description())
        )
    if not has_crs(units_crs):
        return tr("Neither '{units}' nor '{other}' has a coordinate reference system: their coordinates are taken as they are, and measures are planar in their units.",
                  units=units_label, other=other_label)
    return None


def check_filter(layer, layer_label):
    """A file layer's filter that GDAL cannot apply (a field that does not exist…) is an error:
    QGIS would read such a layer as empty, and the run would measure nothing."""
    if layer is None or layer.providerType() != "ogr" or not layer.subsetString().strip():
        return
    subset = layer.subsetString().strip()
    if subset.lower().startswith("select"):
        return  # a whole OGR SQL query, run by GDAL as QGIS does; not an attribute filter
    # SQLite (GeoPackage) reads a double-quoted name it does not know as a text: "nope" = 1 is then
    # false for every row, with no error. The fields the filter names must exist.
    expression = QgsExpression(subset)
    if not expression.hasParserError():
        known = {name.lower() for name in layer.fields().names()}
        unknown = sorted(name for name in expression.referencedColumns() if name and name.lower() not in known)
        if unknown:
            raise QgsProcessingException(
                tr("The filter of the layer '{layer}' cannot be applied: {filter} (no field {fields}). Correct it (Layer Properties > Source > Query Builder, "
                   "or the subset= part of the layer's source) and run again.", layer=layer_label, filter=subset, fields=", ".join(unknown))
            )
    try:
        from osgeo import gdal, ogr
    except ImportError:
        return
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        data_source = ogr.Open(parts.get("path") or "")
        if data_source is None:
            return
        found = data_source.GetLayerByName(parts["layerName"]) if parts.get("layerName") else data_source.GetLayer(parts.get("layerId") or 0)
        gdal.ErrorReset()
        failed = found is not None and found.SetAttributeFilter(subset) != 0
        if found is not None and not failed:
            # Some drivers (GeoPackage) only meet the filter when they read.
            found.GetNextFeature()
            failed = gdal.GetLastErrorType() >= gdal.CE_Failure
        reason = gdal.GetLastErrorMsg()
    except RuntimeError as error:  # GDAL raising exceptions
        failed, reason = True, str(error)
    finally:
        gdal.PopErrorHandler()
        data_source = None
    if failed:
        raise QgsProcessingException(
            tr("The filter of the layer '{layer}' cannot be applied: {filter} ({reason}). Correct it (Layer Properties > Source > Query Builder, "
               "or the subset= part of the layer's source) and run again.", layer=layer_label, filter=subset, reason=reason or tr("GDAL refused it"))
        )


def report_reading(read, layer_label, feedback):
    """Say how many geometries could only be read once mended, or not at all, and which were cut
    at the seam of the CRS they were reprojected into."""
    cut, crs = read.cut_at_seam
    if cut:
        from ...core.model.units import EXAMPLES

        shown = ", ".join(str(fid) for fid in cut[:EXAMPLES]) + (tr(" and {count} more", count=len(cut) - EXAMPLES) if len(cut) > EXAMPLES else "")
        feedback.pushInfo(tr("{count} features of '{layer}' cross the meridian where {crs} cuts the globe (180° from its central meridian): each was "
                             "cut there, where QGIS's reprojection drew it round the world (feature ids {ids}).",
                             count=len(cut), layer=layer_label, crs=crs.authid() or crs.description(), ids=shown))
    if read.fixed:
        feedback.pushWarning(tr("{count} geometries of '{layer}' could only be read once made straight (curves) or closed (rings left open).",
                                count=read.fixed, layer=layer_label))
    if read.unreadable:
        feedback.pushWarning(tr("{count} geometries of '{layer}' cannot be read at all: those features are taken as without geometry.",
                                count=read.unreadable, layer=layer_label))


def whole_layer(parameters, name):
    """True when the parameter asks for every feature of its layer (no selection nor limit)."""
    from qgis.core import QgsProcessingFeatureSourceDefinition

    value = parameters.get(name)
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        return not value.selectedFeaturesOnly and value.featureLimit == -1
    return True
