"""How areas and lengths are measured in a run: the Processing ellipsoid, as native algorithms do."""

from qgis.core import QgsEllipsoidUtils, QgsProcessingException

from ..i18n import tr
from .layers import crs_definition, has_crs

# What qgis_process takes as its own options when they come before "--", and as (ignored)
# algorithm parameters after it.
_QGIS_PROCESS_OPTIONS = ("ELLIPSOID", "PROJECT_PATH")


def misplaced_qgis_process_option(parameters):
    """``(name, value)`` of a qgis_process option given after ``--`` (it arrives as a parameter
    named ``--ELLIPSOID`` or ``ELLIPSOID``), else None."""
    for key, value in parameters.items():
        name = str(key).lstrip("-").upper()
        if name in _QGIS_PROCESS_OPTIONS and value not in (None, ""):
            return name, str(value)
    return None


def measure_for(context, crs, layer_label, parameters=None):
    """The core's measure matching ``context.ellipsoid()``, as QgsDistanceArea would measure.

    Ellipsoidal when an ellipsoid is set, planar in the units CRS when it is ``NONE``; a
    geographic CRS with no ellipsoid would give square degrees, so it is an error. An ellipsoid
    given to qgis_process after ``--`` (where it is ignored) is an error saying where it goes.
    """
    from ...core.geometry.metrics import EllipsoidalMeasure, PlanarMeasure

    ellipsoid = context.ellipsoid() or "NONE"
    misplaced = misplaced_qgis_process_option(parameters or {})
    if misplaced and ellipsoid.upper() == "NONE":
        raise QgsProcessingException(
            tr("{name}={value} was given after '--', among the algorithm's parameters, where qgis_process ignores it: "
               "put --{name}={value} before '--' (qgis_process run ALGORITHM --{name}={value} -- PARAMETERS).", name=misplaced[0], value=misplaced[1])
        )
    if ellipsoid.upper() != "NONE" and not has_crs(crs):
        # Without a CRS nothing can be placed on an ellipsoid: planar, in the coordinates' units.
        return PlanarMeasure()
    if ellipsoid.upper() != "NONE":
        parameters = QgsEllipsoidUtils.ellipsoidParameters(ellipsoid)
        if not parameters.valid:
            raise QgsProcessingException(
                tr("The ellipsoid '{ellipsoid}' is not known. Use an ellipsoid such as EPSG:7030 (WGS 84), or NONE for planar measures.",
                   ellipsoid=ellipsoid)
            )
        if has_crs(crs):
            return EllipsoidalMeasure(crs_definition(crs), parameters.semiMajor, parameters.semiMinor, name=ellipsoid_label(ellipsoid))
    if has_crs(crs) and crs.isGeographic():
        raise QgsProcessingException(
            tr("The layer '{layer}' is in a geographic CRS ({crs}) and no ellipsoid is set, so areas would be in square degrees. "
               "Set an ellipsoid (Project > Properties > General > Measurements; with qgis_process, --ELLIPSOID=EPSG:7030) "
               "or reproject the layer to a projected CRS.", layer=layer_label, crs=crs.authid() or crs.description())
        )
    return PlanarMeasure()


def ellipsoid_label(code):
    """An ellipsoid as people name it: 'WGS 84 (EPSG:7030)' rather than its code alone."""
    for definition in QgsEllipsoidUtils.definitions():
        if definition.acronym == code:
            # QGIS's descriptions of EPSG ellipsoids hold their code already.
            return definition.description if code in definition.description else f"{definition.description} ({code})"
    return code
