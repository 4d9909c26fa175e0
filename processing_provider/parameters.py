"""The parameter sets every indicator shares, each added and read in one place: the units (INPUT,
ID_FIELD), where to run (EXECUTION, SCHEDULER) and the output (LAYOUT, OUTPUT). Names are stable
forever: saved models and scripts use them."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterString,
)

from .i18n import tr
from .settings import read_execution_settings

INPUT, ID_FIELD, LEVEL_FIELDS = "INPUT", "ID_FIELD", "LEVEL_FIELDS"
AREA_UNIT, LENGTH_UNIT = "AREA_UNIT", "LENGTH_UNIT"
AREA_UNITS, LENGTH_UNITS = ["m²", "ha", "km²"], ["m", "km"]
EXECUTION, SCHEDULER = "EXECUTION", "SCHEDULER"
LAYOUT, OUTPUT = "LAYOUT", "OUTPUT"
LONG, WIDE = 0, 1
THIS_COMPUTER, DASK_CLUSTER = 0, 1


def add_units(algorithm, units_help):
    """INPUT (polygons) and ID_FIELD, first in every indicator's dialog."""
    algorithm.add(QgsProcessingParameterFeatureSource(INPUT, tr("Spatial units"), [QgsProcessing.TypeVectorPolygon]), units_help)
    algorithm.add(QgsProcessingParameterField(ID_FIELD, tr("Unit identifier field"), parentLayerParameterName=INPUT),
                  tr("A field with one value per unit, the key of every output row."))


def add_levels(algorithm):
    """LEVEL_FIELDS: fields of the units naming their parents, nearest first (province, country)."""
    levels = QgsProcessingParameterField(LEVEL_FIELDS, tr("Parent levels (fields of the units, nearest parent first)"), parentLayerParameterName=INPUT,
                                         allowMultiple=True, optional=True)
    levels.setHelp(tr("Such as the province code then the country code: the output also holds a row per parent at each level, "
                      "as if the indicator ran on the units dissolved by that field, and pct_parent, each row's share of its parent."))
    algorithm.addParameter(levels)


def read_levels(algorithm, parameters, context):
    return field_names(algorithm, parameters, LEVEL_FIELDS, context)


def field_names(algorithm, parameters, name, context):
    """The field names a field parameter holds: ``parameterAsStrings`` from QGIS 3.32, where
    ``parameterAsFields`` became deprecated (3.40 and 3.44 print a DeprecationWarning), before."""
    read = getattr(algorithm, "parameterAsStrings", None) or algorithm.parameterAsFields
    return read(parameters, name, context)


def add_units_of_measure(algorithm, areas=True, lengths=True):
    """AREA_UNIT (m², ha, km²) and LENGTH_UNIT (m, km) of the outputs that measure areas or lengths."""
    if areas:
        # Optional: models and scripts saved before these parameters existed stay valid.
        area = QgsProcessingParameterEnum(AREA_UNIT, tr("Unit of areas"), options=AREA_UNITS, defaultValue=0, optional=True)
        area.setHelp(tr("Square metres (the default), hectares or square kilometres, for every area of the output; field names do not change, their aliases say the unit."))
        algorithm.addParameter(area)
    if lengths:
        length = QgsProcessingParameterEnum(LENGTH_UNIT, tr("Unit of lengths"), options=LENGTH_UNITS, defaultValue=0, optional=True)
        length.setHelp(tr("Metres (the default) or kilometres, for every length of the output."))
        algorithm.addParameter(length)


def read_units_of_measure(algorithm, parameters, context):
    """``(area unit, length unit)`` names, the defaults where an algorithm has no such parameter."""
    area = AREA_UNITS[algorithm.parameterAsEnum(parameters, AREA_UNIT, context)] if algorithm.parameterDefinition(AREA_UNIT) else AREA_UNITS[0]
    length = LENGTH_UNITS[algorithm.parameterAsEnum(parameters, LENGTH_UNIT, context)] if algorithm.parameterDefinition(LENGTH_UNIT) else LENGTH_UNITS[0]
    return area, length


def add_layout(algorithm, long_option, wide_option, layout_help, default=LONG):
    algorithm.add(QgsProcessingParameterEnum(LAYOUT, tr("Output layout"), options=[long_option, wide_option], defaultValue=default), layout_help)


def read_layout(algorithm, parameters, context):
    return algorithm.parameterAsEnum(parameters, LAYOUT, context)


def add_execution(algorithm):
    """EXECUTION (this computer / Dask cluster) and SCHEDULER, advanced, defaults from the settings.

    Defaults are read each time the algorithm is created (each dialog, each qgis_process run):
    the plugin setting, then GEOINDICATORS_SCHEDULER or SCHEDULER_IP, then this computer.
    """
    settings, _problems = read_execution_settings()
    # Optional: a model or a script that leaves it out runs where the settings say.
    execution = QgsProcessingParameterEnum(
        EXECUTION, tr("Run on"), options=[tr("This computer"), tr("Dask cluster")],
        defaultValue=DASK_CLUSTER if settings.scheduler else THIS_COMPUTER, optional=True,
    )
    scheduler = QgsProcessingParameterString(
        SCHEDULER, tr("Dask scheduler address (tcp://host:8786)"), defaultValue=settings.scheduler or "", optional=True
    )
    execution.setHelp(tr("This computer (its threads), or the Dask cluster whose scheduler is given below or in the GeoIndicators settings."))
    scheduler.setHelp(tr("The scheduler's address, such as tcp://host:8786 (not the dashboard's http:// address); empty: the GeoIndicators settings."))
    for parameter in (execution, scheduler):
        parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        algorithm.addParameter(parameter)


def read_execution(algorithm, parameters, context):
    """``(run on the cluster?, scheduler typed)``: EXECUTION as given, or None when left out."""
    typed = algorithm.parameterAsString(parameters, SCHEDULER, context).strip()
    if EXECUTION in parameters and parameters[EXECUTION] is not None:
        return algorithm.parameterAsEnum(parameters, EXECUTION, context) == DASK_CLUSTER, typed
    return None, typed


def add_output(algorithm, label):
    # Optional: with a fact table (FACTS_CONNECTION) the layer may be skipped; without one, a
    # skipped or missing OUTPUT is a temporary layer.
    algorithm.add(QgsProcessingParameterFeatureSink(OUTPUT, label, QgsProcessing.TypeVector, optional=True, createByDefault=True),
                  tr("Where to write the indicator: prefer a GeoPackage. It may be skipped when a fact table is written."))
