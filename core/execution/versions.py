"""Which library releases a Dask cluster must share with this process, and the differences found.

Tasks carry the core's code and arrays pickled on one side and run on the other: the client, the
scheduler and the workers must agree on the releases of Python and of the libraries the core
computes with, each by its own rule.
"""

from dataclasses import dataclass, field

# How each library must agree between client, scheduler and workers:
#   exact  - the same release (Dask's own wire protocol and serialisation);
#   minor  - the same major.minor (code and arrays pickled on one side, run on the other);
#   worker - only the workers need it (the client never loads it).
CORE_PACKAGES = {
    "python": "minor",
    "dask": "exact",
    "distributed": "exact",
    "cloudpickle": "exact",
    "msgpack": "minor",
    "tornado": "minor",
    "numpy": "minor",
    "pandas": "minor",
    "shapely": "minor",
    "pyproj": "minor",
}
# Only needed when workers read layers themselves: files (``sources.LayerReference``) with
# pyogrio, PostGIS tables (``sources.PostgisReference``) with psycopg.
READER_PACKAGES = {"pyogrio": "worker", "psycopg": "worker"}
# Needed by every raster indicator: the workers open the raster themselves.
RASTER_PACKAGES = {"rasterio": "worker"}
# Earth Engine zonal statistics: the workers send the requests with the client's release.
EARTHENGINE_PACKAGES = {"ee": "minor"}
_SCHEDULER_PACKAGES = {"python", "dask", "distributed", "cloudpickle", "msgpack", "tornado"}


@dataclass
class VersionMismatch:
    """One library whose version differs: the client's, and each version found on the cluster
    with the machines holding it (``{"2.1.0": ["worker-1 (tcp://…)"]}``)."""

    package: str
    rule: str
    client: str
    cluster: dict = field(default_factory=dict)

    def __str__(self):
        found = "; ".join(f"{version or 'missing'} on {', '.join(holders)}" for version, holders in self.cluster.items())
        return f"{self.package}: client {self.client or 'missing'}, cluster {found}"


def compare_versions(versions, rules, worker_names=None):
    """The ``VersionMismatch`` list for ``client.get_versions(packages=…)`` output under ``rules``."""
    worker_names = worker_names or {}
    client = versions["client"]["packages"]
    machines = {"scheduler": versions["scheduler"]["packages"]}
    for address, info in sorted(versions["workers"].items()):
        if isinstance(info, dict) and "packages" in info:
            name = worker_names.get(address)
            machines[f"{name} ({address})" if name and name != address else address] = info["packages"]
    mismatches = []
    for package, rule in rules.items():
        found = {}
        for machine, packages in machines.items():
            if machine == "scheduler" and package not in _SCHEDULER_PACKAGES:
                continue
            version = packages.get(package)
            if not _agrees(client.get(package), version, rule):
                found.setdefault(version, []).append(machine)
        if found:
            mismatches.append(VersionMismatch(package, rule, client.get(package), found))
    return mismatches


def _agrees(client_version, version, rule):
    if rule == "worker":
        return version is not None
    if client_version is None or version is None:
        return client_version == version
    if rule == "exact":
        return client_version == version
    return client_version.split(".")[:2] == version.split(".")[:2]
