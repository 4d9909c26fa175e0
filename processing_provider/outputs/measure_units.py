"""Units of measure of an indicator's areas and lengths (AREA_UNIT, LENGTH_UNIT): the core's scale,
the unit each alias and the log name.

``UnitsOfMeasureSteps`` is mixed into ``algorithms.base.IndicatorAlgorithm``; ``unit_scale_for`` and
``crs_unit_label`` also serve the H3 units algorithm, which is no indicator.
"""

from ..i18n import tr


def unit_scale_for(area_unit, length_unit, crs, measure):
    """The core's ``UnitScale`` for ``area_unit`` and ``length_unit`` of measures made by
    ``measure`` in ``crs``: ellipsoidal measures are in metres; planar ones in the CRS's own unit
    (feet…), converted to metres only when another unit than the default is asked for (the default
    keeps them as they were)."""
    from qgis.core import QgsUnitTypes

    from ...core.geometry.metrics import metres_per_crs_unit
    from ...core.model.results import UnitScale
    from ..inputs.layers import crs_definition

    metres = 1.0
    if (area_unit, length_unit) != ("m²", "m") and measure is not None and not measure.ellipsoidal:
        unit = crs.mapUnits()
        if unit not in (QgsUnitTypes.DistanceMeters, QgsUnitTypes.DistanceUnknownUnit, QgsUnitTypes.DistanceDegrees):
            # The foot from the CRS's definition: QGIS takes the US survey foot for the foot (2 ppm).
            metres = metres_per_crs_unit(crs_definition(crs)) or QgsUnitTypes.fromUnitToUnitFactor(unit, QgsUnitTypes.DistanceMeters)
    return UnitScale(area_unit, length_unit, metres)


def crs_unit_label(crs, area=True):
    """The unit of planar measures in ``crs`` kept in its own unit (ft², m²…; a length's: ft, m)."""
    from qgis.core import QgsUnitTypes

    unit = crs.mapUnits()
    return QgsUnitTypes.toAbbreviatedString(QgsUnitTypes.distanceToAreaUnit(unit) if area else unit)


class UnitsOfMeasureSteps:
    """The units of measure of the run's outputs (``area_unit``, ``length_unit`` set by the run)."""

    def unit_scale(self):
        """The core's ``UnitScale`` for the chosen units of areas and lengths.

        Ellipsoidal measures are in metres; planar ones in the units CRS's own unit, converted to
        metres only when another unit than the default is asked for (the default keeps them as
        they were)."""
        return unit_scale_for(self.area_unit, self.length_unit, self.units.crs, getattr(self, "measure", None))

    def report_units_of_measure(self, feedback):
        if self.area_unit != "m²" and self.has_areas:
            feedback.pushInfo(tr("Areas are given in {unit}.", unit=self.area_unit))
        if self.length_unit != "m" and self.has_lengths:
            feedback.pushInfo(tr("Lengths are given in {unit}.", unit=self.length_unit))

    def unit_suffix(self, measure):
        """The unit a quantity's alias names (``area`` in ha…), or ''."""
        quantity = self.quantity(measure)
        if quantity is None:
            return ""
        from ...core.model.quantities import AREA, LENGTH, PERCENT

        planar = getattr(self, "measure", None) is not None and not self.measure.ellipsoidal
        if planar and (self.area_unit, self.length_unit) == ("m²", "m") and quantity.measures in (AREA, LENGTH):
            return crs_unit_label(self.units.crs, quantity.measures == AREA)
        return {AREA: self.area_unit, LENGTH: self.length_unit, PERCENT: "%"}.get(quantity.measures, "")

    def measures_size(self, name):
        """True for a quantity that measures an area or a length (its alias names its unit)."""
        from ...core.model.quantities import AREA, LENGTH

        quantity = self.quantity(name)
        return quantity is not None and quantity.measures in (AREA, LENGTH)

    def quantity(self, name):
        """The catalogue's quantity named ``name`` for this algorithm (None when not an output)."""
        from ...core.model.quantities import PARENT_SHARE

        return PARENT_SHARE if name == PARENT_SHARE.name else None
