"""Indicator facts in PostgreSQL/PostGIS, on a real server these tests start (tests/postgis.py):
the three modes, a view and a grant that survive, long and quoted names, a run killed mid-way
then resumed, an edit recomputing only the units it touches, credentials kept out of every log,
result and record, and a connection through a PostgreSQL service file.

Values are checked against the plugin's own GeoPackage output of the same run and against a fresh
run into another table (1e-9); which units an edit touches is computed here with shapely."""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
import shapely
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProject, QgsProviderRegistry, QgsVectorLayer

from tests.helpers import QGIS_PROCESS, qgis_process
from tests.postgis import DATABASE, PASSWORD, USER, Server, register_in_profile
from tests.test_overlay_algorithm import Recorder
from tools import datagen

pytestmark = pytest.mark.postgis

CONNECTION = "observatoire"
UNIT_COUNT, FEATURE_COUNT = 1200, 6000


@pytest.fixture(scope="module")
def server():
    server = Server().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("facts"))
    ids, cells = datagen.units(UNIT_COUNT, seed=3)
    provinces = np.array([f"P{int(x // 20_000)}" for x in shapely.get_coordinates(shapely.centroid(cells))[:, 0]], dtype=object)
    units = datagen.write_gpkg(os.path.join(folder, "units.gpkg"), "communes", cells, {"code": ids, "province": provinces})
    geometries, labels = datagen.polygon_theme(FEATURE_COUNT, datagen.LAND_COVER[:4], seed=9)
    theme = datagen.write_gpkg(os.path.join(folder, "theme.gpkg"), "land_cover", geometries, {"cover": labels})
    # The same theme with one feature moved and grown: what an analyst's edit does.
    edited_geometries = geometries.copy()
    edited_geometries[100] = shapely.affinity.translate(shapely.affinity.scale(geometries[100], 1.5, 1.5), 400, 250)
    edited = datagen.write_gpkg(os.path.join(folder, "theme_edited.gpkg"), "land_cover", edited_geometries, {"cover": labels})
    return {"folder": folder, "units": units, "theme": theme, "edited": edited, "cells": cells, "ids": ids, "geometries": geometries,
            "edited_geometries": edited_geometries}


def connection_uri(server, password=True):
    text = f"dbname='{DATABASE}' host=127.0.0.1 port={server.port} user='{USER}'"
    return text + (f" password='{PASSWORD}'" if password else "")


@pytest.fixture(scope="module")
def connection(server, qgis_processing):
    """The PostgreSQL connection registered in this QGIS profile, as an analyst makes it."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(connection_uri(server), {"saveUsername": True, "savePassword": True}), CONNECTION)
    yield CONNECTION
    metadata.deleteConnection(CONNECTION)


def sql(server, statement):
    return server.sql(statement)


def fresh_schema(server, name):
    server.sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE; CREATE SCHEMA "{name}"')
    return name


def run(parameters, feedback=None):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    defaults = {"ID_FIELD": "code", "CLASS_FIELD": "cover", "LAYOUT": 0, "FACTS_CONNECTION": CONNECTION}
    feedback = feedback or Recorder()
    return processing.run("geoindicators:overlay", {**defaults, **parameters}, context=context, feedback=feedback)


def facts(server, schema, table, extra=""):
    """The fact table's rows: {(code, class[, level]): row dict}."""
    import psycopg2
    import psycopg2.extras
    from psycopg2 import sql as composed

    with psycopg2.connect(server.connection) as connection, connection.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
        cursor.execute(composed.SQL("SELECT * FROM {} " + extra).format(composed.Identifier(schema, table)))
        rows = cursor.fetchall()
    connection.close()
    return {tuple(row[key] for key in ("code", "level", "class") if key in row): dict(row) for row in rows}


def _is_null(value):
    from qgis.PyQt.QtCore import QVariant

    return value is None or (isinstance(value, QVariant) and value.isNull())


def same_values(got, expected, columns=("area", "pct_unit", "pct_class", "n_features", "pct_parent")):
    assert got.keys() == expected.keys()
    for key, row in expected.items():
        for column in columns:
            if column in row:
                a, b = (None if _is_null(value) else value for value in (got[key][column], row[column]))
                assert (a is None and b is None) or a == pytest.approx(b, rel=1e-9, abs=1e-9), (key, column, a, b)


def test_update_mode_writes_typed_keyed_facts_with_runs_and_comments(provider, server, connection, data, tmp_path):
    schema = fresh_schema(server, "indicateurs")
    output = str(tmp_path / "out.gpkg")
    feedback = Recorder()
    results = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "land_cover", "OUTPUT": output, "AREA_UNIT": 1},
                  feedback)
    assert results["FACTS"] == '"indicateurs"."land_cover"'
    assert results["UNITS_COMPUTED"] == UNIT_COUNT and results["UNITS_SKIPPED"] == 0
    stored = facts(server, schema, "land_cover")
    layer = QgsVectorLayer(output, "out", "ogr")
    expected = {(feature["code"], feature["class"]): {name: feature[name] for name in layer.fields().names()} for feature in layer.getFeatures()}
    assert len(stored) == len(expected) > UNIT_COUNT
    same_values(stored, expected)
    assert {row["run_id"] for row in stored.values()} == {results["RUN_ID"]}
    # Typed columns, the key, and comments that say units and the last run.
    types = dict(line.split("|") for line in sql(server, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'indicateurs' "
                                                           "AND table_name = 'land_cover'").splitlines())
    assert types == {"code": "text", "class": "text", "area": "double precision", "pct_unit": "double precision", "pct_class": "double precision",
                     "n_features": "bigint", "run_id": "uuid"}
    key = sql(server, "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum)) FROM pg_index i JOIN pg_attribute a "
                      "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'indicateurs.land_cover'::regclass AND i.indisprimary")
    assert key == "code,class"
    assert results["RUN_ID"] in sql(server, "SELECT obj_description('indicateurs.land_cover'::regclass)")
    assert sql(server, "SELECT col_description('indicateurs.land_cover'::regclass, 3)") == "area (ha)"
    record = json.loads(sql(server, f"SELECT record FROM indicateurs.geoindicators_runs WHERE run_id = '{results['RUN_ID']}'"))
    assert record["status"] == "completed" and record["counts"]["units_computed"] == UNIT_COUNT
    assert {output["role"] for output in record["outputs"]} == {"OUTPUT", "FACTS"}
    assert sql(server, "SELECT status || ' ' || rows_written FROM indicateurs.geoindicators_runs") == f"completed {len(stored)}"


def test_update_mode_replaces_only_this_runs_units_and_drops_units_that_left(provider, server, connection, data, tmp_path):
    from qgis.core import QgsProcessingFeatureSourceDefinition

    schema = fresh_schema(server, "update_mode")
    first = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None})
    layer = QgsVectorLayer(data["units"], "communes", "ogr")
    QgsProject.instance().addMapLayer(layer)
    try:
        layer.selectByExpression("\"code\" IN ('U00000', 'U00001', 'U00002')")
        second = run({"INPUT": QgsProcessingFeatureSourceDefinition(layer.id(), True), "OVERLAY": data["edited"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f",
                      "FACTS_RECOMPUTE": True, "OUTPUT": None})
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    stored = facts(server, schema, "f")
    by_run = {}
    for (code, _class), row in stored.items():
        by_run.setdefault(row["run_id"], set()).add(code)
    assert by_run[second["RUN_ID"]] == {"U00000", "U00001", "U00002"}
    assert len(by_run[first["RUN_ID"]]) > UNIT_COUNT - 10  # the others kept theirs
    # A unit removed from the layer (a filter would keep it: only a whole layer removes).
    smaller = QgsVectorLayer(data["units"], "communes", "ogr")
    fewer = str(tmp_path / "fewer.gpkg")
    from qgis.core import QgsVectorFileWriter

    smaller.setSubsetString("\"code\" <> 'U00005'")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    assert QgsVectorFileWriter.writeAsVectorFormatV2(smaller, fewer, QgsProject.instance().transformContext(), options)[0] == QgsVectorFileWriter.NoError
    feedback = Recorder()
    third = run({"INPUT": fewer, "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None}, feedback)
    stored = facts(server, schema, "f")
    assert "U00005" not in {code for code, _class in stored}
    assert any("1 units that left the units layer lost their rows" in info for info in feedback.infos)
    record = json.loads(sql(server, f"SELECT record FROM update_mode.geoindicators_runs WHERE run_id = '{third['RUN_ID']}'"))
    assert record["counts"]["units_removed"] == 1
    # Units whose inputs did not change since their last run were taken from the state (the three
    # units of the second run too, unless the edited feature is near them); the rows equal a fresh run.
    assert third["UNITS_COMPUTED"] + third["UNITS_SKIPPED"] == UNIT_COUNT - 1 and third["UNITS_COMPUTED"] <= 3
    assert {row["run_id"] for row in stored.values()} == {third["RUN_ID"]}
    fresh = run({"INPUT": fewer, "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "fresh", "OUTPUT": None})
    assert fresh["UNITS_COMPUTED"] == UNIT_COUNT - 1
    same_values(stored, facts(server, schema, "fresh"))


def test_replace_mode_keeps_the_table_its_view_grant_and_comments(provider, server, connection, data):
    schema = fresh_schema(server, "replace_mode")
    run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "FACTS_MODE": 1, "OUTPUT": None})
    sql(server, "CREATE VIEW replace_mode.burnt AS SELECT code, area FROM replace_mode.f WHERE class = 'burnt'; CREATE ROLE reader; "
                "GRANT SELECT ON replace_mode.f TO reader; COMMENT ON COLUMN replace_mode.f.code IS 'INSEE code'")
    oid = sql(server, "SELECT 'replace_mode.f'::regclass::oid")
    second = run({"INPUT": data["units"], "OVERLAY": data["edited"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "FACTS_MODE": 1, "OUTPUT": None})
    assert sql(server, "SELECT 'replace_mode.f'::regclass::oid") == oid  # the same table, not a new one
    assert int(sql(server, "SELECT count(*) FROM replace_mode.burnt")) > 0
    assert sql(server, "SELECT has_table_privilege('reader', 'replace_mode.f', 'SELECT')") == "t"
    assert sql(server, "SELECT col_description('replace_mode.f'::regclass, 1)") == "INSEE code"
    assert sql(server, "SELECT DISTINCT run_id FROM replace_mode.f") == second["RUN_ID"]
    sql(server, "DROP ROLE IF EXISTS reader_x")


def test_append_mode_keeps_every_runs_rows_apart(provider, server, connection, data):
    schema = fresh_schema(server, "append_mode")
    first = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "FACTS_MODE": 2, "OUTPUT": None})
    second = run({"INPUT": data["units"], "OVERLAY": data["edited"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "FACTS_MODE": 2, "OUTPUT": None})
    counts = dict(line.split("|") for line in sql(server, "SELECT run_id, count(*) FROM append_mode.f GROUP BY run_id").splitlines())
    assert set(counts) == {first["RUN_ID"], second["RUN_ID"]}
    assert sql(server, "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum)) FROM pg_index i JOIN pg_attribute a "
                       "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'append_mode.f'::regclass AND i.indisprimary") == "code,class,run_id"
    # A table made for appending is not silently reused by an update.
    with pytest.raises(QgsProcessingException, match="primary key"):
        run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "FACTS_MODE": 0, "OUTPUT": None})


def test_long_names_are_shortened_with_a_hash_and_quotes_and_accents_are_kept(provider, server, connection, data):
    schema = fresh_schema(server, "noms")
    long_name = "surface_brulee_par_commune_province_et_territoire_en_hectares_2026"  # 66 bytes
    other = long_name[:-4] + "2027"
    assert len(long_name.encode()) > 63
    feedback = Recorder()
    first = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": long_name, "OUTPUT": None}, feedback)
    run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": other, "OUTPUT": None})
    tables = sql(server, "SELECT tablename FROM pg_tables WHERE schemaname = 'noms' AND obj_description(format('noms.%I', tablename)::regclass) "
                         "LIKE '%written by GeoIndicators%' ORDER BY 1").splitlines()
    assert len(tables) == 2 and all(len(name.encode()) <= 63 for name in tables) and tables[0] != tables[1]
    assert all(name.startswith(long_name[:54]) for name in tables)
    assert any(long_name in warning and "63 bytes" in warning for warning in feedback.warnings)
    assert first["FACTS"].strip('"').split('"."')[1] in tables
    quoted = "l'indicateur \"brûlé\" été"
    run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": quoted, "OUTPUT": None})
    assert int(sql(server, "SELECT count(*) FROM noms.\"l'indicateur \"\"brûlé\"\" été\"")) > UNIT_COUNT
    assert len(tables) + 1 == len(sql(server, "SELECT tablename FROM pg_tables WHERE schemaname = 'noms' AND obj_description(format('noms.%I', tablename)::regclass) "
                                              "LIKE '%written by GeoIndicators%'").splitlines())


def test_an_edit_recomputes_only_the_units_it_touches_and_equals_a_fresh_run(provider, server, connection, data):
    schema = fresh_schema(server, "incremental")
    parameters = {"INPUT": data["units"], "FACTS_SCHEMA": schema, "OUTPUT": None, "LEVEL_FIELDS": ["province"]}
    first = run({**parameters, "OVERLAY": data["theme"], "FACTS_TABLE": "f"})
    assert first["UNITS_COMPUTED"] == UNIT_COUNT
    again = run({**parameters, "OVERLAY": data["theme"], "FACTS_TABLE": "f"})
    assert again["UNITS_COMPUTED"] == 0 and again["UNITS_SKIPPED"] == UNIT_COUNT
    edited = run({**parameters, "OVERLAY": data["edited"], "FACTS_TABLE": "f"})
    # The units whose box meets the box of the feature before or after the edit.
    boxes = shapely.box(*shapely.bounds(data["cells"]).T)
    touched = shapely.intersects(boxes, shapely.box(*shapely.bounds(data["geometries"][100]))) | \
        shapely.intersects(boxes, shapely.box(*shapely.bounds(data["edited_geometries"][100])))
    assert edited["UNITS_COMPUTED"] == int(touched.sum()) > 0
    assert edited["UNITS_SKIPPED"] == UNIT_COUNT - int(touched.sum())
    assert run({**parameters, "OVERLAY": data["edited"], "FACTS_TABLE": "fresh"})["UNITS_COMPUTED"] == UNIT_COUNT
    got, expected = facts(server, schema, "f"), facts(server, schema, "fresh")
    assert any(key[1] == "province" for key in got)  # the parents' rows are there, recomputed
    same_values(got, expected)


def qgis_process_arguments(data, schema, table, **more):
    arguments = [f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={data['theme']}", "CLASS_FIELD=cover", f"FACTS_CONNECTION={CONNECTION}",
                 f"FACTS_SCHEMA={schema}", f"FACTS_TABLE={table}"]
    return arguments + [f"{name}={value}" for name, value in more.items()]


def test_a_run_killed_mid_way_resumes_and_equals_a_full_run(provider, server, connection, data, environment):
    register_in_profile(environment, CONNECTION, {"host": "127.0.0.1", "port": server.port, "database": DATABASE, "username": USER, "password": PASSWORD,
                                                  "saveUsername": "true", "savePassword": "true", "sslmode": "SslDisable"})
    schema = fresh_schema(server, "killed")
    command = [QGIS_PROCESS, "--json", "run", "geoindicators:overlay", "--", *qgis_process_arguments(data, schema, "f"), "OUTPUT=TEMPORARY_OUTPUT"]
    running = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    saved, deadline = 0, time.monotonic() + 300
    try:
        while time.monotonic() < deadline and running.poll() is None:
            exists = sql(server, "SELECT to_regclass('killed.f_state') IS NOT NULL")
            saved = int(sql(server, "SELECT count(*) FROM killed.f_state")) if exists == "t" else 0
            if saved:
                break
            time.sleep(0.02)
        if running.poll() is not None:
            out, err = running.communicate()
            pytest.fail("the run ended before it could be killed (make it longer): " + out.decode()[-2000:] + err.decode()[-2000:])
        os.killpg(running.pid, signal.SIGKILL)  # the process, not a cancel
    finally:
        running.wait(timeout=60)
    saved = int(sql(server, "SELECT count(*) FROM killed.f_state"))
    assert 0 < saved < UNIT_COUNT
    assert sql(server, "SELECT to_regclass('killed.f') IS NULL") == "t"  # facts come at the end, whole: none yet
    assert sql(server, "SELECT status FROM killed.geoindicators_runs") == "running"  # what a killed run leaves

    done, payload = qgis_process(environment, "run", "geoindicators:overlay", "--", *qgis_process_arguments(data, schema, "f"), "OUTPUT=TEMPORARY_OUTPUT")
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    results = payload["results"]
    assert results["UNITS_SKIPPED"] >= saved and results["UNITS_COMPUTED"] == UNIT_COUNT - results["UNITS_SKIPPED"]
    fresh = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "fresh", "OUTPUT": None})
    assert fresh["UNITS_COMPUTED"] == UNIT_COUNT
    same_values(facts(server, schema, "f"), facts(server, schema, "fresh"))
    # Credentials appear nowhere: not in the output, the results, the log, the records.
    assert PASSWORD not in done.stdout + done.stderr
    assert PASSWORD not in sql(server, "SELECT string_agg(record::text, '') FROM killed.geoindicators_runs")


def test_an_empty_output_with_qgis_process_writes_the_facts_only(provider, server, connection, data, environment):
    """OUTPUT= left empty, as the README says to write the table only: qgis_process passes it as
    NULL, which was taken for a layer named 'NULL' and failed once everything was computed, with a
    failed run in the runs table."""
    register_in_profile(environment, CONNECTION, {"host": "127.0.0.1", "port": server.port, "database": DATABASE, "username": USER, "password": PASSWORD,
                                                  "saveUsername": "true", "savePassword": "true", "sslmode": "SslDisable"})
    schema = fresh_schema(server, "facts_only")
    done, payload = qgis_process(environment, "run", "geoindicators:overlay", "--", *qgis_process_arguments(data, schema, "f"), "OUTPUT=")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "OUTPUT" not in payload["results"] and payload["results"]["UNITS_COMPUTED"] == UNIT_COUNT
    assert sql(server, f"SELECT status FROM {schema}.geoindicators_runs") == "completed"
    # The facts are those of the same run in this process, its output skipped ("Skip output").
    run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "fresh", "OUTPUT": None})
    same_values(facts(server, schema, "f"), facts(server, schema, "fresh"))


def test_credentials_stay_out_of_logs_results_and_records(provider, server, connection, data, tmp_path):
    schema = fresh_schema(server, "secrets")
    output = str(tmp_path / "facts.gpkg")
    csv = str(tmp_path / "facts.csv")
    feedback = Recorder()
    results = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": output}, feedback)
    run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": csv})
    texts = [json.dumps(str(results)), "\n".join(feedback.infos + feedback.warnings),
             sql(server, "SELECT string_agg(record::text || parameters::text || inputs::text, '') FROM secrets.geoindicators_runs"),
             open(os.path.join(tmp_path, "facts.prov.json"), encoding="utf-8").read()]
    import sqlite3

    texts += [text for (text,) in sqlite3.connect(output).execute("SELECT record FROM geoindicators_runs")]
    assert all(PASSWORD not in text for text in texts)
    assert all(CONNECTION in text for text in texts[2:])  # the connection is named instead
    # OUTPUT as a table of the database, by a URI holding its password: a layer QGIS cannot make
    # (a table without geometry given a geometry column) is said without the password, and a
    # run that writes there records the table, not the password.
    table_uri = f"postgres://dbname='{DATABASE}' host=127.0.0.1 port={server.port} user='{USER}' password='{PASSWORD}' table=\"secrets\".\"out\" (geom)"
    with pytest.raises(QgsProcessingException) as raised:
        run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": table_uri})
    assert "Could not create" in str(raised.value) and '"secrets"."out"' in str(raised.value) and PASSWORD not in str(raised.value)
    wide = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "LAYOUT": 1, "OUTPUT": table_uri})
    assert int(sql(server, "SELECT count(*) FROM secrets.out")) == UNIT_COUNT
    record = json.loads(sql(server, f"SELECT record FROM secrets.geoindicators_runs WHERE run_id = '{wide['RUN_ID']}'"))
    [written] = [entry for entry in record["outputs"] if entry["role"] == "OUTPUT"]
    assert '"secrets"."out"' in written["uri"] and "127.0.0.1" in written["uri"] and PASSWORD not in written["uri"]
    # A wrong password: the message says what failed, never the password given.
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(connection_uri(server, password=False) + " password='wrong-Secret-42'", {"saveUsername": True, "savePassword": True}), "wrong")
    try:
        with pytest.raises(QgsProcessingException) as raised:
            run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "wrong", "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None})
    finally:
        metadata.deleteConnection("wrong")
    message = str(raised.value)
    assert "'wrong'" in message and "password authentication failed" in message and "wrong-Secret-42" not in message


def test_a_service_file_connection_works_and_errors_name_what_to_fix(provider, server, data, tmp_path, monkeypatch, qgis_processing):
    service_file = tmp_path / "pg_service.conf"
    service_file.write_text(f"[obs]\nhost=127.0.0.1\nport={server.port}\ndbname={DATABASE}\nuser={USER}\npassword={PASSWORD}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(service_file))
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection("service='obs'", {}), "by_service")
    schema = fresh_schema(server, "service")
    try:
        results = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "by_service", "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None})
        assert results["UNITS_COMPUTED"] == UNIT_COUNT and "OUTPUT" not in results
        with pytest.raises(QgsProcessingException, match="schema 'absent' does not exist"):
            run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "by_service", "FACTS_SCHEMA": "absent", "FACTS_TABLE": "f", "OUTPUT": None})
        with pytest.raises(QgsProcessingException, match="no PostgreSQL connection named 'nowhere'"):
            run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "nowhere", "FACTS_TABLE": "f", "OUTPUT": None})
        with pytest.raises(QgsProcessingException, match="FACTS_TABLE"):
            run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "by_service", "OUTPUT": None})
    finally:
        metadata.deleteConnection("by_service")


def test_on_the_cluster_workers_reading_the_theme_an_edit_recomputes_only_its_units(provider, server, connection, data, cluster, settings):
    mirror = os.path.join(cluster["folder"], "facts-data")
    if not os.path.islink(mirror):
        os.symlink(data["folder"], mirror)
    settings("PATH_MAPPINGS", f"{data['folder']}={mirror}")
    schema = fresh_schema(server, "on_cluster")
    parameters = {"INPUT": data["units"], "FACTS_SCHEMA": schema, "OUTPUT": None, "LEVEL_FIELDS": ["province"], "EXECUTION": 1, "SCHEDULER": cluster["address"]}
    feedback = Recorder()
    first = run({**parameters, "OVERLAY": data["theme"], "FACTS_TABLE": "f"}, feedback)
    assert any("on the Dask cluster" in info for info in feedback.infos) and first["UNITS_COMPUTED"] == UNIT_COUNT
    edited = run({**parameters, "OVERLAY": data["edited"], "FACTS_TABLE": "f"})
    boxes = shapely.box(*shapely.bounds(data["cells"]).T)
    touched = shapely.intersects(boxes, shapely.box(*shapely.bounds(data["geometries"][100]))) | \
        shapely.intersects(boxes, shapely.box(*shapely.bounds(data["edited_geometries"][100])))
    assert edited["UNITS_COMPUTED"] == int(touched.sum())
    # The same as a fresh run on this computer.
    local = {key: value for key, value in parameters.items() if key not in ("EXECUTION", "SCHEDULER")}
    assert run({**local, "OVERLAY": data["edited"], "FACTS_TABLE": "fresh", "EXECUTION": 0})["UNITS_COMPUTED"] == UNIT_COUNT
    same_values(facts(server, schema, "f"), facts(server, schema, "fresh"))


def run_algorithm(algorithm, parameters):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    return processing.run(algorithm, {"ID_FIELD": "code", "FACTS_CONNECTION": CONNECTION, "LAYOUT": 0, **parameters}, context=context, feedback=Recorder())


def by_key(rows, keys):
    return {tuple("" if _is_null(row[key]) else row[key] for key in keys): row for row in rows}


def test_zonal_statistics_and_interpolation_write_their_facts_with_their_own_keys(provider, server, connection, data, tmp_path):
    schema = fresh_schema(server, "others")
    xmin, ymin, xmax, ymax = datagen.EXTENT
    rng = np.random.default_rng(4)
    raster = datagen.write_raster(str(tmp_path / "ndvi.tif"), [rng.uniform(-1, 1, (450, 600)), rng.uniform(0, 1, (450, 600))], xmin, ymax, 100.0)
    geometries, values = datagen.census(400)
    sources = datagen.write_gpkg(str(tmp_path / "census.gpkg"), "census", geometries, values)
    for algorithm, parameters, keys, table in (
        ("geoindicators:zonalstats", {"RASTER": raster, "BANDS": [1, 2], "LEVEL_FIELDS": ["province"]}, ("code", "level", "band"), "ndvi"),
        ("geoindicators:interpolate", {"SOURCE": sources, "EXTENSIVE": ["pop"], "INTENSIVE": ["rate"], "CATEGORICAL": ["landuse"]}, ("code", "variable", "class"),
         "census"),
    ):
        output = str(tmp_path / f"out_{table}.gpkg")
        first = run_algorithm(algorithm, {"INPUT": data["units"], "FACTS_SCHEMA": schema, "FACTS_TABLE": table, "OUTPUT": output, **parameters})
        layer = QgsVectorLayer(output, table, "ogr")
        expected = by_key([{name: feature[name] for name in layer.fields().names()} for feature in layer.getFeatures()], keys)
        import psycopg2
        import psycopg2.extras

        with psycopg2.connect(server.connection) as connection_, connection_.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
            cursor.execute(f"SELECT * FROM others.{table}")
            stored = by_key([dict(row) for row in cursor.fetchall()], keys)
        connection_.close()
        assert stored.keys() == expected.keys() and len(stored) > UNIT_COUNT
        measures = [name for name in layer.fields().names() if name not in (*keys, "fid", "parent", "run_id", "class", "variable", "level", "band", "code")]
        same_values(stored, expected, measures)
        key = sql(server, f"SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum)) FROM pg_index i JOIN pg_attribute a "
                          f"ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'others.{table}'::regclass AND i.indisprimary")
        assert set(key.split(",")) == set(keys)
        again = run_algorithm(algorithm, {"INPUT": data["units"], "FACTS_SCHEMA": schema, "FACTS_TABLE": table, "OUTPUT": None, **parameters})
        assert again["UNITS_COMPUTED"] == 0 and again["UNITS_SKIPPED"] == first["UNITS_COMPUTED"] > 0
    # An extensive variable has no class: '' in the key, NULL in the layer.
    assert sql(server, "SELECT count(*) FROM others.census WHERE variable = 'pop' AND class = ''") == str(UNIT_COUNT)


def test_earth_engine_statistics_write_their_facts_and_resume(provider, server, connection, settings, tmp_path):
    """The Earth Engine algorithm (the real client against the fake Earth Engine server of
    tests/fake_ee on 127.0.0.1) writes the GeoPackage's rows, band names included; a second run
    takes every unit from the state and sends no reduction."""
    from tests import earthengine_fixtures as fx

    for name, value in fx.OFFLINE_ENVIRONMENT.items():
        os.environ[name] = value
    (tmp_path / "fake_ee").mkdir()
    fake = fx.start_fake(str(tmp_path / "fake_ee"))
    try:
        settings("EE_KEY_FILE", fake.key_file)
        settings("EE_PROJECT", fx.PROJECT)
        settings("EE_API_URL", fake.url)
        geometries = fx.units()
        units = datagen.write_gpkg(str(tmp_path / "ee_units.gpkg"), "units", geometries, {"code": [f"U{index}" for index in range(len(geometries))]}, epsg=32758)
        schema = fresh_schema(server, "earthengine")
        output = str(tmp_path / "ee.gpkg")
        parameters = {"INPUT": units, "IMAGE": "users/test/values", "STATISTICS": [0, 2, 12], "FACTS_SCHEMA": schema, "FACTS_TABLE": "values"}
        first = run_algorithm("geoindicators:earthengine", {**parameters, "OUTPUT": output})
        layer = QgsVectorLayer(output, "ee", "ogr")
        keys = ("code", "band")
        expected = by_key([{name: feature[name] for name in layer.fields().names()} for feature in layer.getFeatures()], keys)
        import psycopg2
        import psycopg2.extras

        with psycopg2.connect(server.connection) as connection_, connection_.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
            cursor.execute("SELECT * FROM earthengine.values")
            stored = by_key([dict(row) for row in cursor.fetchall()], keys)
        connection_.close()
        assert len(stored) == 2 * len(geometries)
        same_values(stored, expected, ("count", "mean", "covered_area"))
        assert {row["band_name"] for row in stored.values()} == {"ndvi", "elevation"}
        fake.reset()
        again = run_algorithm("geoindicators:earthengine", {**parameters, "OUTPUT": None})
        assert again["UNITS_COMPUTED"] == 0 and again["UNITS_SKIPPED"] == first["UNITS_COMPUTED"] == len(geometries)
        assert not fake.requests("table:computeFeatures")
    finally:
        fake.stop()


def test_another_indicators_table_is_refused_and_kept_as_it_was(provider, server, connection, data, tmp_path):
    """Zonal statistics into the overlay's fact table: a sentence naming both sets of columns, no
    output layer, and the table's rows and runs as they were (the failed run is recorded as failed)."""
    schema = fresh_schema(server, "mixed")
    first = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "burnt", "OUTPUT": None})
    before = sql(server, "SELECT count(*) || '/' || sum(area) FROM mixed.burnt")
    raster = datagen.write_raster(str(tmp_path / "ndvi.tif"), [np.ones((450, 600))], datagen.EXTENT[0], datagen.EXTENT[3], 100.0)
    output = tmp_path / "zonal.gpkg"
    with pytest.raises(QgsProcessingException) as raised:
        run_algorithm("geoindicators:zonalstats", {"INPUT": data["units"], "RASTER": raster, "FACTS_SCHEMA": schema, "FACTS_TABLE": "burnt", "OUTPUT": str(output)})
    message = str(raised.value)
    assert 'The fact table "mixed"."burnt" is keyed by (code, class), and the rows of this run by (code, band)' in message and "Choose another table" in message
    # Said before computing (the zonal run kept no unit's state) and before the output layer is written.
    failed = sql(server, "SELECT run_id FROM mixed.geoindicators_runs WHERE status = 'failed'")
    assert failed and sql(server, f"SELECT count(*) FROM mixed.burnt_state WHERE run_id = '{failed}'") == "0"
    assert sql(server, f"SELECT count(*) FROM mixed.burnt_state WHERE run_id = '{first['RUN_ID']}'") != "0"
    assert not output.exists()
    # The same indicator with parent levels: rows keyed by level too.
    with pytest.raises(QgsProcessingException, match=r"keyed by \(code, class\), and the rows of this run by \(code, level, class\)"):
        run({"INPUT": data["units"], "OVERLAY": data["theme"], "LEVEL_FIELDS": ["province"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "burnt", "OUTPUT": None})
    assert sql(server, "SELECT count(*) || '/' || sum(area) FROM mixed.burnt") == before
    assert sql(server, "SELECT DISTINCT run_id FROM mixed.burnt") == first["RUN_ID"]
    assert sql(server, "SELECT string_agg(status, ',' ORDER BY started_at) FROM mixed.geoindicators_runs") == "completed,failed,failed"


@pytest.mark.parametrize("damage", ["'\\xfffe00'::bytea", "convert_to('{\"values\": 3}', 'UTF8')"], ids=["not-text", "not-a-part"])
def test_a_damaged_state_names_its_table_the_unit_and_the_recompute_setting(provider, server, connection, data, damage):
    """A state row changed by hand (bytes that are not text, JSON that is not a part): the rerun
    names the state table, the unit and FACTS_RECOMPUTE instead of an unexpected error, keeps the
    facts as they were, and with FACTS_RECOMPUTE gives the first run's values again."""
    schema = fresh_schema(server, "damaged")
    run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None})
    before = facts(server, schema, "f")
    sql(server, f"UPDATE damaged.f_state SET part = {damage} WHERE unit_id = 'U00007'")
    with pytest.raises(QgsProcessingException) as raised:
        run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None})
    message = str(raised.value)
    assert 'The state table "damaged"."f_state", kept beside the fact table "damaged"."f"' in message, message
    assert "of the unit U00007 that cannot be read" in message and "(FACTS_RECOMPUTE) checked" in message and "Unexpected" not in message
    assert sql(server, "SELECT string_agg(status, ',' ORDER BY started_at) FROM damaged.geoindicators_runs") == "completed,failed"
    same_values(facts(server, schema, "f"), before)
    again = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "FACTS_RECOMPUTE": True, "OUTPUT": None})
    assert again["UNITS_COMPUTED"] == UNIT_COUNT
    same_values(facts(server, schema, "f"), before)
    # The state is whole again: a plain rerun keeps every unit.
    assert run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "f", "OUTPUT": None})["UNITS_SKIPPED"] == UNIT_COUNT


def test_a_run_cancelled_while_writing_its_layer_creates_no_fact_table(provider, server, connection, data, tmp_path):
    """The fact table is made in the transaction that writes its first rows: a run stopped while
    writing its output layer (after the table's columns are checked) leaves no empty table behind,
    only its row in the runs table, cancelled; the next run creates the table and fills it."""
    schema = fresh_schema(server, "stopped")
    output = tmp_path / "out.gpkg"
    feedback = Recorder(cancel_at=95)  # the last step (95 to 100 %): the columns are checked, then the layer is written
    result = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "burnt", "OUTPUT": str(output)}, feedback)
    assert feedback.isCanceled() and "FACTS" not in result and not output.exists()
    assert sql(server, "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'stopped'") == \
        "burnt_state,geoindicators_runs"
    assert sql(server, "SELECT status FROM stopped.geoindicators_runs") == "cancelled"
    again = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "burnt", "OUTPUT": None})
    assert again["FACTS"] == '"stopped"."burnt"'
    assert int(sql(server, "SELECT count(DISTINCT code) FROM stopped.burnt")) == UNIT_COUNT
    assert sql(server, "SELECT string_agg(status, ',' ORDER BY started_at) FROM stopped.geoindicators_runs") == "cancelled,completed"


def test_a_role_that_may_only_write_rows_updates_the_tables_its_owner_made(provider, server, connection, data):
    """A scheduled job often logs in as a role that may read and write the rows of existing tables
    but neither create tables nor own them. Its runs write their facts and their rows in the runs
    table, and leave the owner's tables, comments and key as they were; in a schema where the
    tables are still to be made, it is told to have them made first."""
    schema = fresh_schema(server, "warehouse")
    owner_run = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_SCHEMA": schema, "FACTS_TABLE": "cover", "OUTPUT": None})
    original = facts(server, schema, "cover")
    fresh_schema(server, "empty_warehouse")
    server.sql("DROP ROLE IF EXISTS cron_job; CREATE ROLE cron_job LOGIN PASSWORD 'cron-Secret-7'; "
               "GRANT USAGE ON SCHEMA warehouse, empty_warehouse TO cron_job; "
               "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA warehouse TO cron_job")
    comment = sql(server, "SELECT obj_description('warehouse.cover'::regclass)")
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    uri = f"dbname='{DATABASE}' host=127.0.0.1 port={server.port} user='cron_job' password='cron-Secret-7'"
    metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True, "savePassword": True}), "cron")
    try:
        edited = run({"INPUT": data["units"], "OVERLAY": data["edited"], "FACTS_CONNECTION": "cron", "FACTS_SCHEMA": schema, "FACTS_TABLE": "cover",
                      "OUTPUT": None})
        # Only the units the edit touches were computed again, by the job, into the owner's table.
        assert 0 < edited["UNITS_COMPUTED"] < UNIT_COUNT and edited["UNITS_COMPUTED"] + edited["UNITS_SKIPPED"] == UNIT_COUNT
        run({"INPUT": data["units"], "OVERLAY": data["edited"], "FACTS_SCHEMA": fresh_schema(server, "reference"), "FACTS_TABLE": "cover", "OUTPUT": None})
        same_values(facts(server, schema, "cover"), facts(server, "reference", "cover"))
        assert sql(server, "SELECT string_agg(status, ',' ORDER BY started_at) FROM warehouse.geoindicators_runs") == "completed,completed"
        assert sql(server, "SELECT obj_description('warehouse.cover'::regclass)") == comment and owner_run["RUN_ID"] in comment
        assert sql(server, "SELECT tableowner FROM pg_tables WHERE schemaname = 'warehouse' AND tablename = 'cover'") == USER
        # A runs table it may add rows to but not update: the facts are written, the run's row
        # stays 'running', and a warning says so (no failed run once the facts are in).
        server.sql("REVOKE UPDATE ON warehouse.geoindicators_runs FROM cron_job")
        feedback = Recorder()
        unfinished = run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "cron", "FACTS_SCHEMA": schema, "FACTS_TABLE": "cover",
                          "OUTPUT": None}, feedback)
        with pytest.raises(QgsProcessingException) as raised:
            run({"INPUT": data["units"], "OVERLAY": data["theme"], "FACTS_CONNECTION": "cron", "FACTS_SCHEMA": "empty_warehouse", "FACTS_TABLE": "cover",
                 "OUTPUT": None})
    finally:
        metadata.deleteConnection("cron")
    assert unfinished["FACTS"] == '"warehouse"."cover"' and unfinished["UNITS_COMPUTED"] == edited["UNITS_COMPUTED"]
    assert [warning for warning in feedback.warnings if "could not be completed" in warning and "permission denied" in warning]
    assert sql(server, f"SELECT status FROM warehouse.geoindicators_runs WHERE run_id = '{unfinished['RUN_ID']}'") == "running"
    assert sql(server, "SELECT DISTINCT run_id FROM warehouse.cover") == unfinished["RUN_ID"]
    same_values(facts(server, schema, "cover"), original)  # the theme as the owner's run had it
    message = str(raised.value)
    assert '"empty_warehouse"' in message and "cron_job" in message and "may not create" in message and "cron-Secret-7" not in message
    assert sql(server, "SELECT count(*) FROM pg_tables WHERE schemaname = 'empty_warehouse'") == "0"


@pytest.mark.parametrize("prefix", ["postgis:", "postgres://"])
def test_a_wide_layer_into_a_postgis_table_holds_every_unit_or_the_run_fails_and_leaves_no_table(provider, server, data, tmp_path, monkeypatch, prefix):
    """Units from a layer that says POLYGON and holds MULTIPOLYGONs (a Shapefile converted by
    ogr2ogr without -nlt) went into a table of polygons, which refused those of several parts,
    and QGIS 3.22's sink said nothing: an empty table and a run that succeeded. The table is now
    of multipolygons and holds every unit; and a table that refuses rows (the old type, forced
    here) ends the run with a sentence and is dropped."""
    from osgeo import ogr, osr

    from geoindicators.processing_provider.outputs import sinks

    path = str(tmp_path / "units.gpkg")
    data_source = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(2154)
    layer = data_source.CreateLayer("units", reference, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    for position, wkt in enumerate(["POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))", "MULTIPOLYGON(((1000 0,2000 0,2000 1000,1000 1000,1000 0)),((3000 0,4000 0,4000 1000,3000 1000,3000 0)))"]):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("code", f"u{position}")
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        layer.CreateFeature(feature)
    layer = data_source = None
    theme = datagen.write_gpkg(str(tmp_path / "theme.gpkg"), "cover", np.array([shapely.box(500, 0, 1500, 500)], dtype=object),
                               {"cover": np.array(["burnt"], dtype=object)}, epsg=2154)
    schema = fresh_schema(server, "wide_out")
    table_uri = f"{prefix}dbname='{DATABASE}' host=127.0.0.1 port={server.port} user='{USER}' password='{PASSWORD}' table=\"{schema}\".\"units\" (geom)"
    run({"INPUT": path, "OVERLAY": theme, "LAYOUT": 1, "FACTS_CONNECTION": None, "OUTPUT": table_uri})
    assert sql(server, f"SELECT string_agg(code || ' ' || GeometryType(geom) || ' ' || area_burnt, ', ' ORDER BY code) FROM {schema}.units") \
        == "u0 MULTIPOLYGON 250000, u1 MULTIPOLYGON 250000"  # by hand: 500 m × 500 m burnt in each
    monkeypatch.setattr(sinks, "output_geometry_type", lambda layer_type, geometries: layer_type)
    with pytest.raises(QgsProcessingException) as raised:
        run({"INPUT": path, "OVERLAY": theme, "LAYOUT": 1, "FACTS_CONNECTION": None, "OUTPUT": table_uri})
    assert f"the table {schema}.units holds 0 of the 2 features written" in str(raised.value) and "The table was removed" in str(raised.value)
    assert PASSWORD not in str(raised.value)
    assert sql(server, f"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'") == "0"
