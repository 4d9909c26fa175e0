"""geoindicators:h3units — H3 cells covering a territory, to use as the units of any indicator."""

import re

from qgis.core import (
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from .. import fields as types
from .. import parameters as shared
from ..i18n import tr, tr_tags
from ..inputs.layers import crs_definition, feature_ids_at, has_crs, read_geometries, report_reading
from ..inputs.measure import measure_for
from ..outputs import destination as destinations
from ..outputs import provenance as run_records
from ..outputs import sinks
from ..progress import Steps
from ..settings import read_h3_max_cells
from ..style import apply_graduated_style
from ..outputs.measure_units import crs_unit_label, unit_scale_for
from .base import RUN_ID, GeoIndicatorsAlgorithm


class H3UnitsAlgorithm(GeoIndicatorsAlgorithm):
    INPUT = "INPUT"
    RESOLUTIONS = "RESOLUTIONS"
    CONTAINMENT = "CONTAINMENT"
    CLIP = "CLIP"
    OUTPUT = "OUTPUT"
    CONTAINMENTS = ["overlap", "center", "full"]

    icon_name = "h3units"
    required_libraries = ("core", "h3")

    def name(self):
        return "h3units"

    def displayName(self):  # noqa: N802
        return tr("H3 units")

    def shortHelpString(self):  # noqa: N802
        # Rendered as HTML: no angle brackets but tags.
        return tr(
            "<p>Covers a territory (the zone polygons, dissolved) with H3 cells at one or several resolutions (6,8), to use as the spatial "
            "units of any indicator, with h3 as their identifier field.</p>"
            "<p><b>Containment</b>: <i>cells that overlap the zone</i> (the default) cover it completely, coasts included; <i>cells whose centre "
            "is in the zone</i> are h3's own polygon_to_cells, which every H3 plugin uses, and leave gaps along coasts (about 3 % of a large "
            "island at resolution 6); <i>cells wholly inside</i> leave out every cell the coast crosses. The cells are the very ones of h3's "
            "h3shape_to_cells_experimental for each rule, found much faster on detailed coastlines. <b>Clip</b> cuts the cells to the zone: "
            "the pieces then tile it exactly.</p>"
            "<p>Fields: h3 (the cell's index as text, as h3 3.x wrote it), resolution, cell_area and area_in_zone (measured like every "
            "indicator: on the ellipsoid set for measurements, or planar when it is None), and with several resolutions parent_6 (for "
            "example): the cell's parent at each coarser resolution asked for, only where the cell lies inside it. H3 cells do not nest "
            "exactly (the children of a cell stick out of it a little): each resolution is computed on its own, never rolled up.</p>"
            "<p>Zones in any CRS; across the antimeridian too (Fiji, Wallis and Futuna): the cells come out in the zone's CRS, cut at 180° "
            "when that CRS is geographic.</p>"
        ) + tr(
            "<p>A run that would make more cells than the setting <i>H3 units: largest number of cells in one run</i> (5 million unless "
            "changed; up to 1.7 GB of memory per million cells) is refused before any cell is made, with the estimate.</p>"
        )

    def tags(self):
        return tr_tags("h3", "hexagon", "grid", "cells", "units", "coverage", "indicator")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add(QgsProcessingParameterFeatureSource(self.INPUT, tr("Zone"), [QgsProcessing.TypeVectorPolygon]),
                 tr("The territory to cover (its polygons are dissolved), in any CRS."))
        self.add(QgsProcessingParameterString(self.RESOLUTIONS, tr("H3 resolutions (from 0 to 15, such as 6,8)"), defaultValue="8"),
                 tr("One or several resolutions, separated by commas: 6 gives cells of about 36 km², 8 of about 0.74 km²."))
        self.add(QgsProcessingParameterEnum(self.CONTAINMENT, tr("Cells kept"), options=[tr("Cells that overlap the zone (complete coverage)"),
                                                                                           tr("Cells whose centre is in the zone (h3's polygon_to_cells)"),
                                                                                           tr("Cells wholly inside the zone")], defaultValue=0),
                 tr("Overlap covers the zone completely; centre is what H3 plugins give; wholly inside leaves the coast out."))
        self.add(QgsProcessingParameterBoolean(self.CLIP, tr("Cut the cells to the zone"), defaultValue=False),
                 tr("The cells along the zone's edge are cut to it: the pieces tile the zone exactly."))
        shared.add_units_of_measure(self, areas=True, lengths=False)
        self.add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("H3 units"), QgsProcessing.TypeVectorPolygon),
                 tr("The cells, in the zone's CRS: prefer a GeoPackage."))
        self.addOutput(QgsProcessingOutputString(RUN_ID, tr("Run identifier")))

    def run_algorithm(self, parameters, context, model_feedback):
        import numpy as np
        import shapely

        from ...core.geometry.repair import POLYGON, repair
        from ...core.sources.h3cells import CONTAINMENTS
        from ...core.sources.h3units import h3_units

        from ...core.warehouse import provenance

        feedback = Steps(model_feedback, (10, 70, 20))
        record = run_records.start(self, parameters, context)
        zones = self.parameterAsSource(parameters, self.INPUT, context)
        if zones is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        label = zones.sourceName()
        self.names = {"units": label}
        crs = zones.sourceCrs()
        if not has_crs(crs):
            raise QgsProcessingException(tr("The zone layer '{layer}' has no coordinate reference system (CRS): H3 cells are placed on the Earth. "
                                            "Set its CRS (Layer Properties > Source) and run again.", layer=label))
        # qgis_process takes any layer for INPUT; a layer of generic type is checked feature by feature below.
        kind = QgsWkbTypes.geometryType(zones.wkbType())
        if kind in (QgsWkbTypes.PointGeometry, QgsWkbTypes.LineGeometry, QgsWkbTypes.NullGeometry):
            raise QgsProcessingException(tr("The zone layer '{layer}' must contain polygons; it contains {kind}. H3 units cover the area of polygons: "
                                            "choose a polygon layer.", layer=label, kind=QgsWkbTypes.geometryDisplayString(kind)))
        resolutions = self._resolutions(parameters, context)
        containment = CONTAINMENTS[self.parameterAsEnum(parameters, self.CONTAINMENT, context)]
        clip = self.parameterAsBoolean(parameters, self.CLIP, context)
        area_unit, _length = shared.read_units_of_measure(self, parameters, context)
        self.measure = measure_for(context, crs, label, parameters)
        target = destinations.destination(parameters, context, label=self.parameter_label(self.OUTPUT))
        destinations.check_writable(target)
        read = read_geometries(zones, feedback, [], None, context)
        if read is None or read.geometries is None:
            return {}
        report_reading(read, label, feedback)
        geometries = read.geometries[~shapely.is_missing(read.geometries) & ~shapely.is_empty(read.geometries)]
        if not len(geometries):
            raise QgsProcessingException(tr("The zone layer '{layer}' has no polygon to cover.", layer=label))
        if crs.isGeographic():
            self._say_long_edges(zones, read.geometries, label, feedback)
        territory = shapely.union_all(repair(np.asarray(geometries, dtype=object), POLYGON).geometries)
        feedback.setCurrentStep(1)
        feedback.pushInfo(tr("Covering '{layer}' with H3 cells of resolution {resolutions} ({containment}).", layer=label,
                             resolutions=", ".join(map(str, resolutions)), containment=containment))
        found = self.run_core(h3_units, feedback, territory=territory, crs=crs_definition(crs), resolutions=resolutions, measure=self.measure,
                              containment=containment, clip=clip, max_cells=read_h3_max_cells())
        if found is None:  # cancelled
            return {}
        # Planar areas in a CRS in feet are converted to metres first when ha or km² are asked for;
        # in the default unit they stay in the CRS's own (ft²), and the aliases say so.
        scale = unit_scale_for(area_unit, "m", crs, self.measure)
        area_label = crs_unit_label(crs) if area_unit == "m²" and not self.measure.ellipsoidal else area_unit
        from ...core.model.quantities import AREA

        cell_areas, zone_areas = scale.apply(found.cell_areas, AREA), scale.apply(found.areas_in_zone, AREA)
        feedback.pushInfo(tr("{count} cells.", count=len(found.ids)))
        if found.touching_only:
            feedback.pushInfo(tr("{count} cells only touch the zone (the overlap rule counts them): cut to the zone they have no piece, and are left out.",
                                 count=found.touching_only))
        elif not clip and len(found.ids):
            touching = int((found.areas_in_zone == 0).sum())
            if touching:
                # A zone drawn along cell edges (a union of cells, a grid): h3's overlap rule keeps
                # the neighbours it touches; said, so a ring of cells without area is no surprise.
                feedback.pushInfo(tr("{count} cells only touch the zone along an edge or at a corner (the overlap rule counts them): their area_in_zone is 0.",
                                     count=touching))
        if not len(found.ids):
            feedback.pushWarning(tr("No H3 cell: with the rule '{containment}', the zone '{layer}' is too small for the cells of resolution {resolutions}. "
                                    "The overlap rule (CONTAINMENT 0) gives every cell that meets it.", containment=containment, layer=label,
                                    resolutions=", ".join(map(str, resolutions))))
        feedback.setCurrentStep(2)
        fields = QgsFields()
        fields.append(types.field("h3", types.STRING, 16))
        fields.append(types.field("resolution", types.INT))
        for name in ("cell_area", "area_in_zone"):
            field = types.field(name, types.DOUBLE)
            field.setAlias(f"{name} ({area_label})")
            fields.append(field)
        for coarse in found.parents:
            fields.append(types.field(f"parent_{coarse}", types.STRING, 16))
        columns = {"h3": found.ids.tolist(), "resolution": found.resolutions.tolist(), "cell_area": cell_areas.tolist(), "area_in_zone": zone_areas.tolist(),
                   **{f"parent_{coarse}": values.tolist() for coarse, values in found.parents.items()}}

        def features():
            wkbs = shapely.to_wkb(found.geometries, output_dimension=2)
            for wkb, row in zip(wkbs, zip(*columns.values())):
                feature = QgsFeature(fields)
                geometry = QgsGeometry()
                geometry.fromWkb(wkb)
                feature.setGeometry(geometry)
                feature.setAttributes(list(row))
                yield feature

        def create():
            return sinks.output_sink(self, parameters, context, fields, QgsWkbTypes.MultiPolygon, crs)

        written = sinks.write_columns(create, target, columns, found.rings if found.rings is not None else found.geometries, features, feedback)
        if written is None:
            return {}
        if context.willLoadLayerOnCompletion(written):
            # Formats keep no aliases (GDAL 3.6): given to the layer QGIS loads.
            apply_graduated_style(context.layerToLoadOnCompletionDetails(written), None, {field.name(): field.alias() for field in fields if field.alias()})
        record["inputs"] = run_records.describe_inputs(self, parameters, context)
        provenance.finish(record, "completed", {"warnings": feedback.warnings}, [run_records.describe_output(self.OUTPUT, written, rows_written=len(found.ids))])
        run_records.attach(record, written, context, feedback, self.displayName(), {"cell_area": area_label, "area_in_zone": area_label})
        return {self.OUTPUT: written, RUN_ID: record["run_id"]}

    @staticmethod
    def _say_long_edges(zones, geometries, label, feedback):
        """Zones in longitude/latitude with an edge longer than 180° are taken as drawn (a band
        round the globe), where h3 and many readers take them across 180°: said, naming them."""
        import numpy as np
        import shapely

        from ...core.geometry.lonlat import with_long_edges
        from ...core.model.units import EXAMPLES

        present = ~shapely.is_missing(geometries)
        positions = np.flatnonzero(present)[with_long_edges(geometries[present])]
        if not len(positions):
            return
        ids = feature_ids_at(zones, positions[:EXAMPLES].tolist())
        feedback.pushWarning(tr("{count} zones of '{layer}' (feature ids {ids}) have edges longer than 180° of longitude. They are read as drawn, their edges "
                                "straight in degrees: a band round the globe, not a zone across 180° as h3 reads such edges. For a zone across 180°, give it "
                                "longitudes beyond 180 (from 179 to 181) or cut it at 180°.", count=len(positions), layer=label,
                                ids=", ".join(map(str, ids)) + (tr(" and {count} more", count=len(positions) - EXAMPLES) if len(positions) > EXAMPLES else "")))

    def _resolutions(self, parameters, context):
        text = self.parameterAsString(parameters, self.RESOLUTIONS, context)
        parts = [part for part in re.split(r"[,;\s]+", text.strip()) if part]
        if not parts or not all(re.fullmatch(r"\d+", part) and 0 <= int(part) <= 15 for part in parts):
            raise QgsProcessingException(tr("{parameter} must list H3 resolutions from 0 to 15, such as 6,8; '{value}' does not.",
                                            parameter=self.parameter_label(self.RESOLUTIONS), value=text))
        return sorted({int(part) for part in parts})
