"""The fact-table parameters every indicator shares (FACTS_CONNECTION, FACTS_SCHEMA, FACTS_TABLE,
FACTS_MODE, FACTS_RECOMPUTE), the connection they name, and the core's ``FactTable`` errors in the
analyst's words.

The connection is one registered in QGIS (Browser > PostgreSQL > New Connection): the parameter
holds its name only, so no password is ever in a model, a script, a log or a run record. Its
credentials come from the connection itself: a saved user and password, an authentication
configuration (authcfg, expanded here by QGIS's authentication manager) or a ``service=`` of the
PostgreSQL service file.
"""

from dataclasses import dataclass

from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDatabaseSchema,
    QgsProcessingParameterDatabaseTable,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterProviderConnection,
    QgsProviderConnectionException,
    QgsProviderRegistry,
)

from ...core.warehouse import facts as core_facts
from ..i18n import tr

FACTS_CONNECTION, FACTS_SCHEMA, FACTS_TABLE, FACTS_MODE, FACTS_RECOMPUTE = "FACTS_CONNECTION", "FACTS_SCHEMA", "FACTS_TABLE", "FACTS_MODE", "FACTS_RECOMPUTE"
CONNECT_TIMEOUT_SECONDS = 15


def add_facts_parameters(algorithm):
    """The fact-table parameters, advanced, all optional: without a connection nothing changes."""
    parameters = [
        (QgsProcessingParameterProviderConnection(FACTS_CONNECTION, tr("Fact table: PostgreSQL connection"), "postgres", optional=True),
         tr("A PostgreSQL/PostGIS connection registered in QGIS (Browser > PostgreSQL): the long table is also written into a table of its database. "
            "Its name only: the credentials stay in the connection.")),
        (QgsProcessingParameterDatabaseSchema(FACTS_SCHEMA, tr("Fact table: schema"), FACTS_CONNECTION, defaultValue="public", optional=True),
         tr("The schema of the fact table (it must exist); the runs table geoindicators_runs is made there too.")),
        (QgsProcessingParameterDatabaseTable(FACTS_TABLE, tr("Fact table: table"), FACTS_CONNECTION, FACTS_SCHEMA, optional=True, allowNewTableNames=True),
         tr("The fact table, made at the first run and kept afterwards (its grants, views and comments)."
            " A name longer than 63 bytes is shortened with a hash suffix, as the log says.")),
        (QgsProcessingParameterEnum(FACTS_MODE, tr("Fact table: rows written"),
                                    options=[tr("Update: replace the rows of this run's units, keep the others"), tr("Replace every row of the table"),
                                             tr("Append: add this run's rows beside the earlier runs'")], defaultValue=core_facts.UPDATE, optional=True),
         tr("Update (0): the units of this run get new rows, others keep theirs, units that left the units layer lose theirs. Replace (1): the table "
            "holds this run's rows only. Append (2): this run's rows are added, run_id tells the runs apart.")),
        (QgsProcessingParameterBoolean(FACTS_RECOMPUTE, tr("Fact table: compute every unit again"), defaultValue=False, optional=True),
         tr("By default a run computes only the units not computed yet with the same inputs and parameters (a stopped run resumes, an edit "
            "recomputes what it touches). Check to compute every unit again.")),
    ]
    for parameter, help_text in parameters:
        parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        parameter.setHelp(help_text)
        algorithm.addParameter(parameter)


@dataclass
class FactsTarget:
    """The fact table a run writes: the QGIS connection's name, schema, table and mode."""

    connection_name: str
    schema: str
    table: str
    mode: int
    recompute: bool = False

    @property
    def label(self):
        return f"{self.connection_name}: {self.schema}.{self.table}"


def read_facts(algorithm, parameters, context):
    """The ``FactsTarget`` asked for, None without a connection; errors name the parameter."""
    name = algorithm.parameterAsConnectionName(parameters, FACTS_CONNECTION, context) if parameters.get(FACTS_CONNECTION) else ""
    table = algorithm.parameterAsDatabaseTableName(parameters, FACTS_TABLE, context) if parameters.get(FACTS_TABLE) else ""
    if not name:
        if table:
            raise QgsProcessingException(tr("{table} is given but not {connection}: choose the PostgreSQL connection of the fact table.",
                                            table=algorithm.parameter_label(FACTS_TABLE), connection=algorithm.parameter_label(FACTS_CONNECTION)))
        return None
    if not table.strip():
        raise QgsProcessingException(tr("{connection} is given but not {table}: name the fact table to write (it is made at the first run).",
                                        table=algorithm.parameter_label(FACTS_TABLE), connection=algorithm.parameter_label(FACTS_CONNECTION)))
    schema = (algorithm.parameterAsSchema(parameters, FACTS_SCHEMA, context) if parameters.get(FACTS_SCHEMA) else "") or "public"
    mode = algorithm.parameterAsEnum(parameters, FACTS_MODE, context) if parameters.get(FACTS_MODE) is not None else core_facts.UPDATE
    recompute = algorithm.parameterAsBoolean(parameters, FACTS_RECOMPUTE, context) if parameters.get(FACTS_RECOMPUTE) is not None else False
    return FactsTarget(name, schema, table, mode, recompute)


def connect(algorithm, target):
    """A psycopg2 connection to the database of the QGIS connection ``target.connection_name``."""
    try:
        import psycopg2
    except ImportError:
        raise QgsProcessingException(tr("Writing a fact table needs the Python library psycopg2, which QGIS installs with its PostgreSQL support "
                                        "(on Debian and Ubuntu: the package python3-psycopg2).")) from None
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    try:
        connection = metadata.findConnection(target.connection_name)
    except QgsProviderConnectionException:
        connection = None
    if connection is None:
        known = ", ".join(sorted(metadata.connections().keys())) or tr("none")
        raise QgsProcessingException(tr("{parameter}: there is no PostgreSQL connection named '{name}' in this QGIS profile (known: {known}). "
                                        "Create it in the Browser (PostgreSQL > New Connection), or give the name of one.",
                                        parameter=algorithm.parameter_label(FACTS_CONNECTION), name=target.connection_name, known=known))
    # Expands an authentication configuration into the user and password libpq needs.
    info = QgsDataSourceUri(connection.uri()).connectionInfo(True)
    try:
        return psycopg2.connect(info, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="GeoIndicators")
    except psycopg2.Error as error:
        from ...core.warehouse.provenance import redact

        reason = redact(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
        raise QgsProcessingException(tr("Could not connect to the database of the PostgreSQL connection '{name}': {reason}. Check the connection in the Browser.",
                                        name=target.connection_name, reason=reason)) from None


def facts_error_message(error, target):
    """A core ``FactsError`` as a sentence naming the table and what to do."""
    details, code = error.details, error.code
    if code == "no_schema":
        return tr("The schema '{schema}' does not exist in the database of the connection '{name}': create it (CREATE SCHEMA), or choose another.",
                  schema=details["schema"], name=target.connection_name)
    if code == "locked":
        return tr("Another run is writing to the fact table {table} right now: wait for it to end, then run again.", table=details["table"])
    if code == "columns_differ":
        return tr("The fact table {table} has other columns than this run writes (it holds: {found}; this run: {expected}). "
                  "Choose another table, or drop or rename that one.", table=details["table"], found=details["found"], expected=details["expected"])
    if code == "key_differs":
        return tr("The fact table {table} has the primary key ({found}), and this run needs ({expected}): it was made with another mode "
                  "(append keeps run_id in the key). Choose another table, or the mode it was made with.", table=details["table"], found=details["found"],
                  expected=details["expected"])
    if code == "key_columns_differ":
        return tr("The fact table {table} is keyed by ({found}), and the rows of this run by ({expected}): it holds another indicator's facts, "
                  "or the same indicator's with other parent levels. Choose another table, or drop or rename that one. Nothing was computed.",
                  table=details["table"], found=details["found"], expected=details["expected"])
    if code == "cannot_create":
        return tr("The role {role} of the connection '{name}' may not create tables in the schema \"{schema}\", and the fact table {table} "
                  "or the tables kept beside it (geoindicators_runs, its state) do not exist yet. Run once with the role that is to own them, "
                  "or have {role} granted CREATE on the schema; then this role needs only to read and write their rows.",
                  role=details["role"], name=target.connection_name, schema=details["schema"], table=details["table"])
    if code == "null_key":
        return tr("The column {column} of the fact table's key has an empty (NULL) value: fill it in the units layer.", column=details["column"])
    return tr("The fact table {table} could not be written: {reason}. Nothing of this run was kept there past the last whole chunk of units.",
              table=target.label, reason=details.get("reason", str(error)))
