"""Execution settings shared by the plugin, ``qgis_process`` and Python users: where to run, and how
the cluster sees the analyst's files.

The plugin stores these in its Processing settings; outside QGIS (and as the fallback inside it) the
scheduler comes from the environment: ``GEOINDICATORS_SCHEDULER``, then ``SCHEDULER_IP`` (the name the
observatory's notebooks already use).
"""

import ntpath
import os
import re
from dataclasses import dataclass, field

from ..model.errors import InputError

SCHEDULER_ENVIRONMENT_VARIABLES = ("GEOINDICATORS_SCHEDULER", "SCHEDULER_IP")
DEFAULT_SCHEDULER_PORT = 8786
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_CHUNK_SIZE = 1000
_URL = re.compile(r"^(?:/vsi[a-z0-9_]+/|[a-z][a-z0-9+.-]*://)", re.IGNORECASE)


def scheduler_from_environment(environ=None):
    """The scheduler address set in the environment, normalised, or None.

    A value that is no scheduler address raises ``InputError`` naming the variable.
    """
    environ = os.environ if environ is None else environ
    for name in SCHEDULER_ENVIRONMENT_VARIABLES:
        value = (environ.get(name) or "").strip()
        if value:
            try:
                return normalise_scheduler_address(value)
            except InputError as error:
                raise InputError(error.code, f"The variable {name}: {error}", **{**error.details, "variable": name}) from None
    return None


# The schemes Dask's communication layer knows; the dashboard's http(s) address is the usual mistake.
SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "ws", "wss", "inproc")


def normalise_scheduler_address(text):
    """``host`` or ``host:8786`` or ``tcp://host:8786`` → ``tcp://host:8786`` (None when blank).

    Anything else (a web address such as the dashboard's ``http://host:8787/status``, a path, a
    port that is not a number) raises ``InputError('bad_scheduler_address')`` with the reason.
    """
    text = (text or "").strip()
    if not text:
        return None
    if "://" not in text:
        text = "tcp://" + text
    scheme, rest = text.split("://", 1)
    scheme = scheme.lower()
    rest = rest.rstrip("/")
    if scheme in ("http", "https"):
        raise InputError(
            "bad_scheduler_address", f"'{text}' is a web address (the Dask dashboard's?), not a scheduler address such as tcp://host:8786.",
            address=text, reason="web address",
        )
    if scheme not in SCHEDULER_SCHEMES:
        raise InputError("bad_scheduler_address", f"'{text}' is not a Dask scheduler address: unknown scheme '{scheme}'.", address=text, reason="scheme")
    if "/" in rest or "?" in rest or "#" in rest or not rest or rest.startswith(":"):
        raise InputError("bad_scheduler_address", f"'{text}' is not a Dask scheduler address: give a host and a port only, such as tcp://host:8786.",
                         address=text, reason="path")
    if scheme == "inproc":
        return f"{scheme}://{rest}"
    if rest.startswith("["):  # [IPv6 address], maybe with :port
        after = rest.partition("]")[2]
        port = after[1:] if after.startswith(":") else None
    elif rest.count(":") == 1:
        port = rest.split(":")[1]
    else:  # a name, an IPv4 address or a bare IPv6 address, without a port
        port = None
    if port is None:
        return f"{scheme}://{rest}:{DEFAULT_SCHEDULER_PORT}"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError("bad_scheduler_address", f"'{text}' is not a Dask scheduler address: the port '{port}' is not a number from 1 to 65535.",
                         address=text, reason="port")
    return f"{scheme}://{rest}"


@dataclass(frozen=True)
class PathMapping:
    """A folder as the analyst's computer names it, and as the cluster's workers name it."""

    client_prefix: str
    cluster_prefix: str


@dataclass
class PathMappings:
    """Client path prefix → cluster path prefix, for shared folders mounted under other names.

    Written as ``client=cluster`` pairs separated by ``;`` or new lines, for example
    ``Z:/=/media/commun/; \\\\nas\\sig=/mnt/sig``. Windows paths compare without regard to case and
    slash direction. A mapping ``/=/`` says the cluster sees this computer's files under the same
    names (a cluster started on this computer, as ``make cluster`` does).
    """

    mappings: list = field(default_factory=list)

    @classmethod
    def parse(cls, text):
        mappings = []
        for part in re.split(r"[;\n]", text or ""):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValueError(part)
            client, cluster = (side.strip() for side in part.split("=", 1))
            if not client or not cluster:
                raise ValueError(part)
            mappings.append(PathMapping(client, cluster))
        # Longest prefix first, so a mapping of a sub-folder wins over its parent's.
        mappings.sort(key=lambda mapping: len(mapping.client_prefix), reverse=True)
        return cls(mappings)

    def to_cluster(self, path):
        """The cluster's name for ``path``, or None when no shared folder holds it.

        URLs (``https://``, ``s3://``, GDAL ``/vsicurl/``) are readable anywhere and kept as they are.
        """
        if is_url(path):
            return path
        for mapping in self.mappings:
            rest = _strip_prefix(path, mapping.client_prefix)
            if rest is not None:
                cluster = mapping.cluster_prefix
                separator = "\\" if "\\" in cluster and "/" not in cluster else "/"
                rest = rest.replace("\\", "/").lstrip("/")
                if not rest:
                    return cluster
                return cluster.rstrip("/\\") + separator + rest.replace("/", separator)
        return None

    def __bool__(self):
        return bool(self.mappings)


def is_url(path):
    return bool(_URL.match(path or ""))


def _strip_prefix(path, prefix):
    windows = bool(re.match(r"^[A-Za-z]:|^\\\\", prefix)) or "\\" in prefix
    if windows:
        normal_path = ntpath.normcase(path.replace("/", "\\"))
        normal_prefix = ntpath.normcase(prefix.replace("/", "\\")).rstrip("\\")
        if normal_path == normal_prefix:
            return ""
        if normal_path.startswith(normal_prefix + "\\"):
            return path[len(normal_prefix) + 1 :]
        return None
    normal_prefix = prefix.rstrip("/")
    if path == normal_prefix or (normal_prefix == "" and path.startswith("/")):
        return path[len(normal_prefix) :]
    if path.startswith(normal_prefix + "/"):
        return path[len(normal_prefix) + 1 :]
    return None


@dataclass
class ExecutionSettings:
    """Where and how indicators run. ``scheduler`` None = this computer."""

    scheduler: str = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    chunk_size: int = DEFAULT_CHUNK_SIZE
    local_threads: int = 0
    path_mappings: PathMappings = field(default_factory=PathMappings)
