"""The run record: what produced an output, shaped after W3C PROV-O and OpenLineage run events.

One JSON object per run (``new_record`` at the start, ``finish`` at the end): its id (a UUID that
every fact row carries as ``run_id``), the algorithm and its version, the parameters as resolved
with secrets redacted, the inputs (source without secrets, CRS, filter, feature count, extent,
content fingerprint), the library versions, where it ran, start and end in UTC, its status and
counts. ``openlineage`` and ``prov`` are the same facts in those vocabularies, so that lineage
tools (Marquez, PROV readers) can read a record without knowing GeoIndicators.

Secrets never enter a record: ``redact`` removes passwords, tokens and keys from connection
strings and URLs, and connections are named (a QGIS connection's name), never spelled out.
"""

import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import sys
import uuid

# OpenLineage asks for a URI naming the producer: a URN, the plugin having no public address yet.
PRODUCER = "urn:geoindicators:qgis-plugin"
OPENLINEAGE_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
NAMESPACE = "geoindicators"

# Where a secret sits in a connection string, a URI or a URL, and what stands for it.
REDACTED = "***"
_SECRET_KEYS = r"password|passwd|pwd|pass|secret|token|access_token|api_key|apikey|key_secret|private_key|sslpassword|authorization"
_KEY_VALUE = re.compile(rf"""(?i)\b({_SECRET_KEYS})(\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&|'"]+)""")
_JSON_VALUE = re.compile(rf'(?i)"({_SECRET_KEYS})"(\s*:\s*)"(?:[^"\\]|\\.)*"')
# user:password@host in URLs (postgresql://, https://)
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s:]*):([^/@\s]*)@")
_ENVIRONMENT_SECRETS = ("PGPASSWORD", "GEOINDICATORS_EE_KEY", "GOOGLE_APPLICATION_CREDENTIALS")


def redact(text):
    """``text`` with every password, token and key replaced by ``***`` (URL credentials too)."""
    if text is None:
        return None
    text = str(text)

    def hidden(match):
        value = match.group(3)
        quote = value[0] if value[:1] in ("'", '"') else ""
        return f"{match.group(1)}{match.group(2)}{quote}{REDACTED}{quote}"

    text = _KEY_VALUE.sub(hidden, text)
    text = _JSON_VALUE.sub(lambda match: f'"{match.group(1)}"{match.group(2)}"{REDACTED}"', text)
    text = _URL_CREDENTIALS.sub(lambda match: f"{match.group(1)}{match.group(2)}:{REDACTED}@", text)
    for name in _ENVIRONMENT_SECRETS:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, REDACTED)
    return text


def redact_value(value):
    """A parameter value with secrets redacted, recursively (texts, lists, mappings)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(key): (REDACTED if re.fullmatch(_SECRET_KEYS, str(key), re.IGNORECASE) else redact_value(item)) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(str(value))


def utc_now():
    """The current time in UTC, ISO 8601 with a Z (seconds and microseconds)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def canonical_json(value):
    """JSON with sorted keys and no spaces: equal values give equal texts (and hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def params_hash(parameters):
    """sha256 of the canonical JSON of ``parameters`` (as they were redacted)."""
    return hashlib.sha256(canonical_json(parameters).encode("utf-8")).hexdigest()


def library_versions(extra=None):
    """The versions that can change a result: Python, numpy, pandas, shapely and GEOS, pyproj and
    PROJ, h3, dask and distributed (those importable here), plus ``extra`` (QGIS, GDAL…)."""
    versions = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for name in ("numpy", "pandas", "shapely", "pyproj", "h3", "dask", "distributed"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = str(getattr(module, "__version__", "") or "")
            continue
        # Not imported by this run: its installed version, read without importing it (importing
        # distributed to read a number cost a second of every local run).
        try:
            versions[name] = importlib.metadata.version(name)
        except (importlib.metadata.PackageNotFoundError, ValueError):  # not installed here: not part of this run
            continue
    shapely = sys.modules.get("shapely")
    if shapely is not None:
        versions["geos"] = getattr(shapely, "geos_version_string", "")
    pyproj = sys.modules.get("pyproj")
    if pyproj is not None:
        versions["proj"] = str(getattr(pyproj, "proj_version_str", ""))
    versions.update({key: str(value) for key, value in (extra or {}).items() if value})
    return versions


def new_record(algorithm, version, parameters, parent_run_id=None, run_id=None, started_at=None):
    """The record of a run that starts now: ``algorithm`` (``geoindicators:overlay``), the
    producer's ``version``, ``parameters`` as resolved (redacted here)."""
    redacted = redact_value(parameters)
    return {
        "run_id": run_id or str(uuid.uuid4()),
        "parent_run_id": parent_run_id,
        "algorithm": algorithm,
        "algorithm_version": version,
        "plugin_version": version,
        "producer": PRODUCER,
        "status": "running",
        "started_at": started_at or utc_now(),
        "ended_at": None,
        "parameters": redacted,
        "params_hash": params_hash(redacted),
        "inputs": [],
        "outputs": [],
        "versions": {},
        "executor": {"kind": "local", "host": platform.node()},
        "counts": {"warnings": 0, "units_computed": 0, "units_skipped": 0, "units_failed": 0, "units_removed": 0},
    }


def describe_input(role, name, uri, provider=None, crs=None, subset=None, feature_count=None, extent=None, content_hash=None, **more):
    """One entry of ``inputs``: ``role`` (the parameter: INPUT, OVERLAY…), the layer's ``name``,
    its ``uri`` (redacted here), provider, CRS, filter, feature count, extent and fingerprint."""
    entry = {
        "role": role, "name": name, "uri": redact(uri), "provider": provider, "crs": crs, "filter": redact(subset) or None,
        "feature_count": feature_count, "extent": list(extent) if extent is not None else None, "content_hash": content_hash,
    }
    entry.update({key: redact_value(value) for key, value in more.items()})
    return entry


def file_fingerprint(paths, chunk_bytes=1 << 20):
    """``sha256:<hex>`` of the bytes of ``paths`` (a file, or all the files of one dataset such
    as a Shapefile's .shp, .dbf, .shx and .prj), in the order given; None when one is missing."""
    digest = hashlib.sha256()
    for path in paths:
        if not os.path.isfile(path):
            return None
        digest.update(os.path.basename(path).encode("utf-8") + b"\0")
        with open(path, "rb") as handle:
            while True:
                block = handle.read(chunk_bytes)
                if not block:
                    break
                digest.update(block)
    return "sha256:" + digest.hexdigest()


def finish(record, status, counts=None, outputs=None, ended_at=None):
    """Close ``record`` with ``status`` (completed, failed, cancelled), its counts and outputs,
    and the OpenLineage and PROV views of it. Returns the record."""
    record["status"] = status
    record["ended_at"] = ended_at or utc_now()
    record["counts"].update(counts or {})
    if outputs:
        record["outputs"].extend(redact_value(outputs))
    record["openlineage"] = openlineage_event(record)
    record["prov"] = prov_activity(record)
    return record


_OPENLINEAGE_TYPES = {"running": "START", "completed": "COMPLETE", "failed": "FAIL", "cancelled": "ABORT"}


def _dataset(entry):
    uri = entry.get("uri") or entry.get("table") or entry.get("name") or ""
    namespace = entry.get("namespace") or ("file" if uri.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", uri) else entry.get("provider") or NAMESPACE)
    dataset = {"namespace": namespace, "name": uri}
    facets = {}
    if entry.get("feature_count") is not None or entry.get("rows_written") is not None:
        facets["outputStatistics" if "rows_written" in entry else "inputStatistics"] = {
            "_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/OutputStatisticsOutputDatasetFacet.json",
            "rowCount": entry.get("rows_written", entry.get("feature_count")),
        }
    if facets:
        dataset["facets" if "rows_written" not in entry else "outputFacets"] = facets
    return dataset


def openlineage_event(record):
    """The record as an OpenLineage RunEvent (run, job, inputs, outputs, producer, eventTime)."""
    return {
        "eventType": _OPENLINEAGE_TYPES.get(record["status"], "OTHER"),
        "eventTime": record["ended_at"] or record["started_at"],
        "run": {"runId": record["run_id"], "facets": {"parent": {"run": {"runId": record["parent_run_id"]}}} if record.get("parent_run_id") else {}},
        "job": {"namespace": NAMESPACE, "name": record["algorithm"]},
        "inputs": [_dataset(entry) for entry in record["inputs"]],
        "outputs": [_dataset(entry) for entry in record["outputs"]],
        "producer": f"{PRODUCER}:{record['plugin_version']}",
        "schemaURL": OPENLINEAGE_SCHEMA,
    }


def prov_activity(record):
    """The record as a W3C PROV-O activity (JSON-LD terms): used, generated, associated with."""
    return {
        "@context": {"prov": "http://www.w3.org/ns/prov#"},
        "@id": f"urn:uuid:{record['run_id']}",
        "@type": "prov:Activity",
        "prov:startedAtTime": record["started_at"],
        "prov:endedAtTime": record["ended_at"],
        "prov:used": [{"@type": "prov:Entity", "prov:label": entry.get("name"), "prov:atLocation": entry.get("uri")} for entry in record["inputs"]],
        "prov:generated": [{"@type": "prov:Entity", "prov:atLocation": entry.get("uri") or entry.get("table")} for entry in record["outputs"]],
        "prov:wasAssociatedWith": {"@type": "prov:SoftwareAgent", "prov:label": f"GeoIndicators {record['plugin_version']} ({record['algorithm']})"},
        "prov:wasInformedBy": f"urn:uuid:{record['parent_run_id']}" if record.get("parent_run_id") else None,
    }


def to_json(record, indent=None):
    return json.dumps(record, ensure_ascii=False, indent=indent, default=str, allow_nan=False) if _finite(record) else json.dumps(_finite_copy(record), ensure_ascii=False, indent=indent, default=str)


def _finite(value):
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(item) for item in value)
    return True


def _finite_copy(value):
    """NaN and infinities become None: JSON has no such numbers."""
    if isinstance(value, float):
        return value if _finite(value) else None
    if isinstance(value, dict):
        return {key: _finite_copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_copy(item) for item in value]
    return value
