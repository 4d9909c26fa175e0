"""Earth Engine as a source: the session (credentials, project, API URL), what an image is, and
per-unit reductions sent in batches.

Credentials, in this order, none of them interactive: a service-account key *file* (``key_file``,
else ``GEOINDICATORS_EE_KEY_FILE``); an access token relayed by the client (Dask workers); Earth
Engine's own stored user credentials (``earthengine authenticate``); Google application-default
credentials. The project comes from ``project``, else ``GEOINDICATORS_EE_PROJECT``, else the
service account's own. ``api_url`` (else ``GEOINDICATORS_EE_API_URL``) points the client at another
endpoint (private endpoints, tests). A key never leaves the process that reads it: workers get the
short-lived access token instead, and ``repr`` hides it.

The client is initialised once per process and connection (Earth Engine's state is global).
Start-up (the credentials, the client's discovery, the image's description) has the connection's
``connect_timeout`` as a whole, and is cancellable: it runs beside the caller, which stops waiting
at the deadline or when asked. Each request afterwards has one deadline (``deadline_ms``) for its
attempts and retries together: the client's own retries (each attempt a deadline of its own) made
about 30 minutes of a server that accepts and never answers; here 429 and 5xx answers are retried
with backoff while the deadline lasts. Everything here imports ``ee`` lazily: the core loads without it.
"""

import json
import os
import threading
import time
from dataclasses import dataclass, replace

from ..execution.config import DEFAULT_CONNECT_TIMEOUT
from ..model.errors import Cancelled, InputError

KEY_FILE_VARIABLE = "GEOINDICATORS_EE_KEY_FILE"
PROJECT_VARIABLE = "GEOINDICATORS_EE_PROJECT"
API_URL_VARIABLE = "GEOINDICATORS_EE_API_URL"
# Interactive requests end after 5 minutes on Earth Engine's side; a little more here, for a
# request and its retries together.
DEFAULT_DEADLINE_MS = 330_000
DEFAULT_RETRIES = 5
# Answers worth asking again (too many requests, the server's errors), after these many seconds
# doubled at each attempt.
_RETRIED_STATUSES = {429, 500, 502, 503, 504}
_FIRST_WAIT = 0.5
_POLL_SECONDS = 0.1
# Earth Engine allows 40 concurrent requests per project: leave room for the project's other users.
DEFAULT_IN_FLIGHT = 10
MAX_TILE_SCALE = 16
# Bodies over 10 MiB are refused; batches stay well under, measured on the serialised request.
DEFAULT_BATCH_BYTES = 4_000_000
DEFAULT_BATCH_UNITS = 500
PAGE_SIZE = 1000
COMPOSITES = ("mean", "median", "mode", "min", "max", "first")


class EarthEngineError(InputError):
    """Earth Engine cannot give the result. Codes: ``ee_missing`` (reason), ``no_credentials``,
    ``bad_key_file`` (path, reason), ``credentials_refused`` (source, reason), ``no_project``,
    ``unreachable`` (url, reason), ``asset_not_found`` (asset, reason), ``not_an_image`` (asset,
    kind), ``no_images`` (asset, start, end), ``missing_band`` (band, bands), ``bad_composite``,
    ``unsupported_projection`` (asset, projection), ``unit_too_large`` (unit, bytes), ``batch_failed``
    (units, reason), ``timeout`` (units, seconds)."""


@dataclass(frozen=True)
class Connection:
    """How to reach Earth Engine; empty fields are taken from the environment (``resolved``)."""

    project: str = None
    key_file: str = None
    api_url: str = None
    access_token: str = None
    deadline_ms: int = DEFAULT_DEADLINE_MS
    max_retries: int = DEFAULT_RETRIES
    max_in_flight: int = DEFAULT_IN_FLIGHT
    # Seconds for the whole start-up (credentials, discovery, the image's description).
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT

    def __repr__(self):
        token = "<hidden>" if self.access_token else None
        return f"Connection(project={self.project!r}, key_file={self.key_file!r}, api_url={self.api_url!r}, access_token={token})"

    def resolved(self):
        return replace(
            self,
            project=self.project or os.environ.get(PROJECT_VARIABLE) or None,
            key_file=self.key_file or os.environ.get(KEY_FILE_VARIABLE) or None,
            api_url=(self.api_url or os.environ.get(API_URL_VARIABLE) or "").rstrip("/") or None,
        )

    def for_workers(self, token):
        """What the tasks carry: the project, the URL and a short-lived token, never the key."""
        return replace(self, key_file=None, access_token=token)


def _state(ee):
    """This process's session, kept on the ``ee`` module: Earth Engine's own state is per process,
    and the core travels to Dask workers by value, where a module-level lock could not be pickled."""
    return ee.__dict__.setdefault("_geoindicators_session", {"lock": threading.RLock(), "identity": None, "credentials": None, "source": None,
                                                              "in_flight": {}})


def import_ee():
    try:
        import ee
    except Exception as error:  # noqa: BLE001 - a broken install must read as one, not as a traceback
        raise EarthEngineError("ee_missing", f"The earthengine-api library cannot be loaded ({type(error).__name__}: {error}).",
                               reason=f"{type(error).__name__}: {error}") from None
    return ee


def session(connection):
    """The ``ee`` module, initialised for ``connection`` (once per process and connection)."""
    connection = connection.resolved()
    ee = import_ee()
    # Stored user credentials count by their file's time: after 'earthengine authenticate' (another
    # account, say), the next run uses them without restarting QGIS.
    stored = None
    if not connection.key_file and not connection.access_token and os.path.exists(ee.oauth.get_credentials_path()):
        stored = os.stat(ee.oauth.get_credentials_path()).st_mtime_ns
    identity = (connection.api_url, connection.project, connection.key_file, connection.access_token, stored)
    state = _state(ee)
    with state["lock"]:
        if state["identity"] != identity:
            credentials, source = _credentials(ee, connection)
            project = connection.project or getattr(credentials, "project_id", None)
            if not project:
                raise EarthEngineError("no_project", "No Google Cloud project is set for Earth Engine.")
            if connection.api_url:
                # Another endpoint (private, tests): the catalogue of deprecated public assets,
                # fetched from storage.googleapis.com without a timeout, is not for it.
                ee.deprecation.deprecated_assets = {"": None}
            # Initialize's own requests get the start-up's deadline, without the client's retries;
            # the public setters need an initialised client: set the state they set.
            client_state = getattr(ee.data, "_get_state", lambda: None)()
            if client_state is not None:
                client_state.deadline_ms, client_state.max_retries = int(min(connection.deadline_ms, connection.connect_timeout * 1000)), 0
            try:
                ee.Initialize(credentials=credentials, url=connection.api_url, project=project)
            except Exception as error:  # noqa: BLE001 - sorted into what the user can act on
                raise _initialise_error(error, connection, source) from None
            state.update(identity=identity, credentials=credentials, source=source)
        if ee.data._get_state().deadline_ms != connection.deadline_ms:
            ee.data.setDeadline(connection.deadline_ms)
        # Retries are this module's (``call``), within each request's deadline.
        ee.data.setMaxRetries(0)
        ee.data.setUserAgent("GeoIndicators")
    return ee


def start(connection, work, should_stop=None, seconds=None):
    """``work()`` (the session, the image's description, a token) within ``seconds`` (the
    connection's ``connect_timeout`` by default), cancellable: it runs beside the caller, which
    stops waiting at the deadline (``EarthEngineError('unreachable')``) or when ``should_stop()``
    says so (``Cancelled``). ``ee.Initialize`` blocked the caller for 10 minutes on a server that
    accepts and never answers, deaf to Ctrl+C."""
    connection = connection.resolved()
    seconds = connection.connect_timeout if seconds is None else seconds
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            outcome["error"] = error

    worker = threading.Thread(target=run, name="geoindicators-earthengine-start", daemon=True)
    worker.start()
    deadline = time.monotonic() + seconds
    while worker.is_alive():
        if should_stop is not None and should_stop():
            raise Cancelled()
        if time.monotonic() > deadline:
            url = connection.api_url or "https://earthengine.googleapis.com"
            raise EarthEngineError("unreachable", f"Cannot reach Earth Engine at {url}: no answer within {seconds:g} s.", url=url,
                                   reason=f"no answer within {seconds:g} s")
        worker.join(_POLL_SECONDS)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def call(ee, request, connection):
    """``request()`` (one Earth Engine request), asked again after a 429 or 5xx answer or a dropped
    connection, with backoff, while its deadline (``deadline_ms``, the attempts together) lasts
    and at most ``max_retries`` times; a request that does not answer within it raises the
    timeout it met."""
    started, wait, attempt = time.monotonic(), _FIRST_WAIT, 0
    deadline = connection.deadline_ms / 1000
    while True:
        try:
            return request()
        except ee.EEException as error:
            status = getattr(getattr(error.__context__, "resp", None), "status", None)
            if status not in _RETRIED_STATUSES:
                raise
            failure = error
        except OSError as error:  # a timeout or a dropped connection (httplib2's and requests' are OSErrors)
            failure = error
        attempt += 1
        if attempt > connection.max_retries or time.monotonic() - started + wait >= deadline:
            raise failure
        time.sleep(wait)
        wait *= 2


def access_token(connection):
    """A valid access token of this process's session (for the workers), or None without
    credentials. Call it through ``start`` where it must not block."""
    credentials = _state(session(connection))["credentials"]
    if credentials is None:
        return None
    if not getattr(credentials, "valid", False) and hasattr(credentials, "refresh"):
        import google.auth.transport.requests

        credentials.refresh(google.auth.transport.requests.Request())
    return credentials.token


def _credentials(ee, connection):
    """(credentials, where they came from), in the documented order."""
    if connection.key_file:
        path = os.path.expanduser(connection.key_file)
        try:
            with open(path, encoding="utf-8") as handle:
                key = json.load(handle)
        except OSError as error:
            raise EarthEngineError("bad_key_file", f"Cannot read the service-account key file {path}: {error.strerror}.", path=path, reason=error.strerror) from None
        except ValueError:
            raise EarthEngineError("bad_key_file", f"The file {path} is not a service-account key (JSON).", path=path, reason="not JSON") from None
        if not isinstance(key, dict) or key.get("type") != "service_account" or "client_email" not in key:
            raise EarthEngineError("bad_key_file", f"The file {path} is not a service-account key (no client_email).", path=path, reason="not a service account key")
        try:
            return ee.ServiceAccountCredentials(None, key_file=path), "key_file"
        except Exception as error:  # noqa: BLE001
            raise EarthEngineError("bad_key_file", f"The key file {path} cannot be used: {error}.", path=path, reason=str(error)) from None
    if connection.access_token:
        import google.oauth2.credentials

        return google.oauth2.credentials.Credentials(token=connection.access_token), "token"
    if os.path.exists(ee.oauth.get_credentials_path()):
        try:
            return ee.data.get_persistent_credentials(), "earthengine"
        except Exception as error:  # noqa: BLE001
            raise EarthEngineError("credentials_refused", f"Earth Engine's stored credentials were refused: {_reason(error)}", source="earthengine",
                                   reason=_reason(error)) from None
    import google.auth

    try:
        credentials, _project = google.auth.default(scopes=ee.oauth.SCOPES)
    except google.auth.exceptions.DefaultCredentialsError:
        raise EarthEngineError("no_credentials", "No Earth Engine credentials: set a service-account key file, or run 'earthengine authenticate'.") from None
    return credentials, "application_default"


def _reason(error):
    """An error's message as a sentence: google-auth's RefreshError carries (message, the server's
    answer), which printed as a Python tuple ("('invalid_grant: Invalid JWT Signature.', {...})")."""
    first = error.args[0] if error.args else None
    return first if isinstance(first, str) and len(error.args) > 1 else str(error)


def _initialise_error(error, connection, source):
    """The ``EarthEngineError`` of a failed ``ee.Initialize``: refused credentials, an unreachable
    endpoint, a refused project, else the reason as given."""
    name, text = type(error).__name__, _reason(error)
    refused = ("RefreshError" in name or "invalid_grant" in text or "UNAUTHENTICATED" in text or "401" in text
               or ("403" in text and "permission" in text.lower()))
    if refused:
        return EarthEngineError("credentials_refused", f"Earth Engine refused the credentials ({source}): {text}", source=source, reason=text)
    if isinstance(error, OSError) or "ServerNotFound" in name or "Connection" in text or "timed out" in text:
        url = connection.api_url or "https://earthengine.googleapis.com"
        return EarthEngineError("unreachable", f"Cannot reach Earth Engine at {url}: {text}", url=url, reason=text)
    if "project" in text.lower():
        return EarthEngineError("no_project", f"Earth Engine refused the project {connection.project}: {text}", reason=text)
    return EarthEngineError("credentials_refused", f"Earth Engine could not be initialised ({source}): {text}", source=source, reason=text)


# --- images ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSpec:
    """An image or a composite of a collection: ``asset`` (an Earth Engine asset id), ``bands``
    (names; empty: all), ``start``/``end`` (ISO dates, collections only; end excluded),
    ``composite`` (how a collection's images make one), ``scale`` (metres; 0: the first image's
    native grid)."""

    asset: str
    bands: tuple = ()
    start: str = None
    end: str = None
    composite: str = "mean"
    scale: float = 0.0


@dataclass(frozen=True)
class ImageInfo:
    kind: str  # "IMAGE" or "IMAGE_COLLECTION"
    band_names: tuple  # the image's bands, all of them
    crs: str  # an authority code or WKT, as Earth Engine gives it
    transform: tuple  # Earth Engine's order: xScale, xShearing, xTranslation, yShearing, yScale, yTranslation
    images: int  # 1, or the images of the collection between the dates

    @property
    def pixel_size(self):
        return abs(self.transform[0])


def describe(spec, connection, should_stop=None):
    """What ``spec`` is on Earth Engine (``ImageInfo``); raises ``EarthEngineError`` when it is no
    image, holds no image between the dates, or lacks a band. The session starts within the
    connection's ``connect_timeout``, the description within a request's deadline, both
    cancellable (``start``)."""
    ee = start(connection, lambda: session(connection), should_stop)
    return start(connection, lambda: _described(ee, spec), should_stop, connection.deadline_ms / 1000)


def _described(ee, spec):
    try:
        asset = ee.data.getAsset(spec.asset)
    except ee.EEException as error:
        raise EarthEngineError("asset_not_found", f"The Earth Engine asset '{spec.asset}' cannot be read: {error}", asset=spec.asset, reason=str(error)) from None
    kind = asset.get("type")
    if kind not in ("IMAGE", "IMAGE_COLLECTION"):
        raise EarthEngineError("not_an_image", f"The Earth Engine asset '{spec.asset}' is a {kind}, not an image or an image collection.", asset=spec.asset, kind=kind)
    if spec.composite not in COMPOSITES:
        raise EarthEngineError("bad_composite", f"Unknown composite '{spec.composite}': choose among {', '.join(COMPOSITES)}.", composite=spec.composite)
    collection = _collection(ee, spec) if kind == "IMAGE_COLLECTION" else None
    first = ee.Image(spec.asset) if collection is None else collection.first()
    count = 1 if collection is None else collection.size()
    try:
        images = count if collection is None else count.getInfo()
        if not images:
            raise EarthEngineError("no_images", f"The collection '{spec.asset}' has no image between {spec.start} and {spec.end}.", asset=spec.asset,
                                   start=spec.start, end=spec.end)
        band_names = first.bandNames().getInfo()
        missing = [band for band in spec.bands if band not in band_names]
        if missing:
            raise EarthEngineError("missing_band", f"The Earth Engine image '{spec.asset}' has no band '{missing[0]}'; its bands are {', '.join(band_names)}.",
                                   band=missing[0], bands=band_names, asset=spec.asset)
        projection = first.select([spec.bands[0] if spec.bands else band_names[0]]).projection().getInfo()
    except ee.EEException as error:
        raise EarthEngineError("asset_not_found", f"The Earth Engine asset '{spec.asset}' cannot be read: {error}", asset=spec.asset, reason=str(error)) from None
    # An authority code (EPSG:32758, SR-ORG:6974 for MODIS' sinusoid), or WKT for the others.
    crs = projection.get("crs") or projection.get("wkt")
    if not crs or not projection.get("transform"):
        raise EarthEngineError("unsupported_projection", f"The Earth Engine image '{spec.asset}' has no projection with a grid ({projection}).",
                               asset=spec.asset, projection=str(projection))
    return ImageInfo(kind, tuple(band_names), crs, tuple(projection["transform"]), int(images))


def _collection(ee, spec):
    collection = ee.ImageCollection(spec.asset)
    if spec.start or spec.end:
        collection = collection.filterDate(spec.start or "1970-01-01", spec.end or "2200-01-01")
    return collection


def image(ee, spec, info):
    """The ``ee.Image`` of ``spec``: the asset, or the composite of its collection between the dates."""
    if info.kind == "IMAGE":
        return ee.Image(spec.asset)
    collection = _collection(ee, spec)
    return collection.first() if spec.composite == "first" else getattr(collection, spec.composite)()


def grid_arguments(spec, info):
    """``reduceRegions``' grid: always explicit (a composite's default is WGS 84 at 1 degree)."""
    if spec.scale and spec.scale > 0:
        return {"crs": info.crs, "scale": float(spec.scale)}
    return {"crs": info.crs, "crsTransform": list(info.transform)}


# --- reductions -----------------------------------------------------------------------------------


def unit_features(ee, geometries_geojson, positions, crs):
    """``ee.Feature`` per unit (planar edges in ``crs``), its position as the property ``uid``."""
    return [ee.Feature(ee.Geometry(geometry, crs, False), {"uid": int(position)}) for geometry, position in zip(geometries_geojson, positions)]


def request_size(ee, expression):
    """Bytes of the request body that sends ``expression`` (as the client serialises it)."""
    return len(json.dumps({"expression": ee.serializer.encode(expression, for_cloud_api=True)}))


def fetch_features(ee, collection, connection, workload_tag=None, page_size=PAGE_SIZE):
    """Every feature's properties of ``collection``, by paged ``computeFeatures`` (``getInfo``
    stops at 5000 elements), each page within the ``connection``'s deadline (``call``)."""
    out, token = [], None
    while True:
        params = {"expression": collection, "pageSize": page_size}
        if token:
            params["pageToken"] = token
        if workload_tag:
            params["workloadTag"] = workload_tag
        answer = call(ee, lambda params=params: ee.data.computeFeatures(params), connection)
        out.extend(feature.get("properties") or {} for feature in answer.get("features", []))
        token = answer.get("nextPageToken")
        if not token:
            return out


def in_flight_limit(connection):
    """A lock bounding the requests in flight to Earth Engine: cluster-wide on a Dask worker (a
    ``distributed.Semaphore`` named after the project), per process elsewhere."""
    limit = max(1, int(connection.max_in_flight))
    try:
        from distributed import Semaphore, get_worker

        get_worker()
    except Exception:  # noqa: BLE001 - not on a Dask worker
        state = _state(import_ee())
        with state["lock"]:
            return state["in_flight"].setdefault((connection.project, limit), threading.BoundedSemaphore(limit))
    return Semaphore(max_leases=limit, name=f"geoindicators-earthengine-{connection.project}-{limit}")
