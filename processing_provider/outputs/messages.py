"""The core's notes (``core.model.notes``) as the sentences an analyst reads in the log: one
sentence per kind of note, written once for every algorithm."""

from ...core.model.names import class_value_text
from ..i18n import tr


def report_notes(notes, feedback, layers, units_without_geometry=None, feature_ids=None):
    """Push each note as a translated warning (or information). ``layers`` names the inputs
    (``units``, ``features``, ``raster``: their layer names); ``units_without_geometry`` is the
    algorithm's own sentence for units without geometry (what they get instead of figures);
    ``feature_ids(positions)`` gives the feature ids of the features layer's features at those
    positions (the core names them by position: the analyst looks for their ids)."""
    from dataclasses import replace

    for note in notes:
        if note.subject == "features" and note.examples and feature_ids is not None:
            note = replace(note, examples=feature_ids(note.examples))
        sentence, warning = _sentence(note, layers, units_without_geometry)
        if sentence:
            (feedback.pushWarning if warning else feedback.pushInfo)(sentence)


# Overlapping sources sharing less than this of their area are slivers (see ``_sentence``).
_SLIVER = 1e-6


def _number(value):
    """A figure for the log: whole numbers as they are, others with 6 significant digits, written
    out (a population of 6478216.0000001 is "6478216", not "6.47822e+06")."""
    value = float(value)
    if value.is_integer():
        return f"{value:.0f}"
    if abs(value) < 1:
        return f"{value:.6g}"
    decimals = max(0, 6 - len(f"{abs(value):.0f}"))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


# A share lost under this (percent) is the rounding of the sums, not a loss: said as 0.
_ROUNDING_PERCENT = 1e-9


def _examples(note):
    return ", ".join(str(value) for value in note.examples)


def _sentence(note, layers, units_without_geometry):
    layer = layers.get(note.subject, "")
    code, count = note.code, note.count
    if code == "repaired" and note.subject == "units":
        return tr("{count} invalid geometries of the units layer '{layer}' were repaired before measuring.", count=count, layer=layer), True
    if code == "repaired" and note.subject == "features":
        return tr("{count} invalid geometries of the thematic layer '{layer}' were repaired before measuring.", count=count, layer=layer), True
    if code == "without_geometry" and note.subject == "units":
        return (units_without_geometry or tr("{count} units of '{layer}' have no geometry: their measures are 0.")).format(count=count, layer=layer), True
    if code == "without_geometry":
        return tr("{count} features of '{layer}' have no geometry and were ignored.", count=count, layer=layer), True
    if code == "zero_area":
        return tr("{count} units have zero area (for example {examples}): their share of unit area (pct_unit) is NULL.", count=count, examples=_examples(note)), True
    if code == "outside_raster":
        return tr("{count} units of '{layer}' lie wholly outside the raster '{raster}' (for example {examples}): their statistics are NULL.",
                  count=count, layer=layer, raster=layers.get("raster", ""), examples=_examples(note)), True
    if code == "no_source":
        return tr("{count} units of '{layer}' touch no source polygon (for example {examples}): their values are NULL.", count=count, layer=layer, examples=_examples(note)), True
    if code == "no_unit":
        return tr("{count} source polygons of '{layer}' touch no unit: their values go nowhere.", count=count, layer=layer), True
    if code == "allocation":
        lines = []
        for name, (total, allocated) in note.details.items():
            if total is None:
                lines.append(tr("{field}: the units received {allocated}.", field=name, allocated=_number(allocated)))
            else:
                lost = 100.0 * (total - allocated) / total if total else 0.0
                lost = 0.0 if abs(lost) < _ROUNDING_PERCENT else lost
                lines.append(tr("{field}: the sources hold {total}, the units received {allocated} ({lost} % lost).", field=name, total=_number(total),
                                allocated=_number(allocated), lost=f"{lost:.3g}"))
        return "\n".join(lines), False
    if code == "null_values":
        lines = [tr("{count} source polygons of '{layer}' have no value (NULL) for {field}: they are left out of it.", count=found, layer=layer, field=name)
                 for name, found in note.details.items()]
        return "\n".join(lines), True
    if code == "overlapping_sources":
        # Slivers of less than a millionth of the polygons' area (borders reprojected or digitised
        # apart) are told, not warned about.
        share = note.details.get("share", 1.0)
        if not note.examples:  # features keyed by content (a fact table's run) have no number to show
            return tr("{count} pairs of source polygons of '{layer}' overlap, over {share} % of their area: their values count twice there.",
                      count=count, layer=layer, share=f"{100.0 * share:.2g}"), share >= _SLIVER
        return tr("{count} pairs of source polygons of '{layer}' overlap (for example the features {examples}), over {share} % of their area: "
                  "their values count twice there.", count=count, layer=layer, examples=_examples(note), share=f"{100.0 * share:.2g}"), share >= _SLIVER
    if code == "no_weight" and not note.examples:
        return tr("{count} source polygons of '{layer}' have no weight in the weight raster: their extensive values are shared by area.", count=count, layer=layer), True
    if code == "no_weight":
        return tr("{count} source polygons of '{layer}' have no weight in the weight raster (for example the feature {examples}): their extensive values are shared by area.",
                  count=count, layer=layer, examples=_examples(note)), True
    if code == "no_weight_units":
        return tr("{count} units of '{layer}' have no weight in the weight raster (for example {examples}): their intensive values are area-weighted means.",
                  count=count, layer=layer, examples=_examples(note)), True
    if code == "merged_classes":
        lines = [tr("The class table names the values {values} '{name}': they are one class, their areas added up.",
                    values=", ".join(class_value_text(value) for value in values), name=name) for name, values in note.details.items()]
        return "\n".join(lines), False
    return None, False


def input_error_message(error, names):
    """A translated sentence for a core ``InputError``. ``names`` holds what the sentence names:
    ``units`` (the units layer), ``id`` (its identifier field), ``features`` (the thematic or
    source layer), ``raster``; an error this function does not know keeps its English text."""
    details, code = error.details, error.code
    units, id_name = names.get("units", ""), names.get("id", "")
    if code == "duplicate_ids":
        return tr("The identifier field '{field}' of '{layer}' has {count} values used by several units, for example {examples}. Choose a field with one value per unit.",
                  field=id_name, layer=units, count=details["count"], examples=", ".join(details["examples"]))
    if code == "null_ids":
        return tr("The identifier field '{field}' of '{layer}' is NULL for {count} units (for example features number {examples}). Fill it, or choose another field.",
                  field=id_name, layer=units, count=details["count"], examples=", ".join(str(value) for value in details["examples"]))
    if code == "units_not_polygons":
        return tr("The units layer '{layer}' must contain polygons: {count} of its features are not (points, lines or collections), for example the units {examples}. "
                  "Keep its polygons only (Extract by expression: geometry_type(@geometry) = 'Polygon').",
                  layer=units, count=details["count"], examples=", ".join(details["examples"]))
    if code == "stale_copy":
        return tr("The workers read a copy of {layer} that is not the one QGIS read: {path} has {found} features, modified {found_time}, where QGIS read "
                  "{expected} features, modified {expected_time}. Check the shared-folder mapping in the GeoIndicators settings, or update the copy.",
                  layer=details["layer"], path=details["path"], found=details["found"], found_time=details["found_time"],
                  expected=details["expected"], expected_time=details["expected_time"])
    if code == "layer_changed":
        return tr("The layer {path} changed while the cluster was reading it (class value {value} is new). Run again.", path=details["path"], value=details["value"])
    if code == "pole":
        return tr("The zone '{layer}' holds the {pole} Pole: H3 cells are found from polygons in longitude/latitude, which cannot hold a pole. "
                  "Cut a small circle around the pole out of the zone (Difference with a buffer of the pole), then run again.",
                  layer=units, pole=tr("North") if details.get("value") == "North" else tr("South"))
    if code == "pole_cell":
        return tr("At resolution {resolution} the H3 cell around the {pole} Pole meets the zone '{layer}': a cell holding a pole cannot be drawn in "
                  "longitude/latitude, where H3 cells are found. Choose resolution {finer} or finer, or cut the part of the zone nearest the pole out.",
                  resolution=details.get("resolution"), finer=details.get("finer"), layer=units,
                  pole=tr("North") if details.get("value") == "North" else tr("South"))
    if code == "outside_crs":
        west, south, east, north = details["bounds"]
        return tr("The zone '{layer}' lies far outside the area where its CRS, {crs}, is defined ({area}: {west}° to {east}° of longitude, {south}° to "
                  "{north}° of latitude). Its coordinates are probably in another CRS than the layer says: set the layer's true CRS (Layer Properties > "
                  "Source), or reproject it, then run again.", layer=units, crs=details["crs"], area=details["area"],
                  west=f"{west:g}", east=f"{east:g}", south=f"{south:g}", north=f"{north:g}")
    if code == "too_many_cells":
        from ..settings import H3_MAX_CELLS, h3_max_cells_label

        return tr("About {estimate} H3 cells would cover the zone '{layer}' ({area} km²) at resolution {resolutions}: more than the {limit} one run may make "
                  "(setting '{setting}' in Options › Processing › Providers › GeoIndicators, or the environment variable {variable}). Choose a coarser "
                  "resolution or cut the zone into parts; or raise the setting if this computer has the memory (up to 1.7 GB per million cells).",
                  estimate=f"{details['estimate']:,.0f}".replace(",", " "), layer=units, area=f"{details['area_km2']:,.0f}".replace(",", " "),
                  resolutions=", ".join(map(str, details["resolutions"])), limit=f"{details['limit']:,}".replace(",", " "),
                  setting=h3_max_cells_label(), variable=H3_MAX_CELLS)
    if code == "mixed_theme":
        return tr("The thematic layer '{layer}' mixes points, lines and polygons. Keep one geometry type (for example with 'Extract by expression').", layer=names.get("features", ""))
    if code == "null_parent":
        return tr("The parent level '{level}' of '{layer}' is NULL for {count} units (for example {examples}): every unit needs a parent at each level. "
                  "Fill the field, or leave this level out.", level=details["level"], layer=units, count=details["count"], examples=", ".join(details["examples"]))
    if code == "two_parents":
        return tr("{count} values of the level '{level}' of '{layer}' have units in several values of '{above}' (for example {examples}): give the levels "
                  "nearest parent first, each inside one parent of the next.", count=details["count"], level=details["level"], layer=units,
                  above=details["above"], examples=", ".join(details["examples"]))
    raster = names.get("raster", "")
    if code == "raster_unreadable":
        return tr("Cannot read the raster '{layer}' at {path}: {reason}", layer=raster, path=details["path"], reason=str(error))
    if code in ("rotated_raster", "south_up_raster"):
        return tr("The grid of the raster '{layer}' is rotated or upside down; warp it to a north-up grid first (Raster > Projections > Warp).", layer=raster)
    if code == "raster_not_georeferenced":
        return tr("The raster '{layer}' has no georeferencing (no geotransform), so its cells cannot be placed under the units. Georeference it first "
                  "(Raster > Georeferencer), or give it its world file.", layer=raster)
    if code == "complex_raster":
        return tr("Band {band} of the raster '{layer}' holds complex numbers, which have no statistics here. Compute their modulus first (Raster calculator) "
                  "and summarise that.", band=details["band"], layer=raster)
    return str(error)


def cluster_error_message(error):
    """A translated sentence for a core ``ClusterError``."""
    from .. import dependencies

    details = error.details
    if error.code == "scheduler_unreachable":
        return tr("Cannot reach the Dask scheduler at {address} within {timeout} s ({reason}). Check the address (Dask scheduler address, SCHEDULER, or the GeoIndicators settings) "
                  "and that the scheduler runs, or run on this computer.", address=details["address"], timeout=f"{details['timeout']:g}", reason=details["reason"])
    if error.code == "no_workers":
        return tr("The Dask scheduler at {address} has no workers. Start some (dask worker {address}), or run on this computer.", address=details["address"])
    if error.code == "not_a_scheduler":
        return tr("The server at {address} answers, but it is not a Dask scheduler ({reason}). Check the port: the scheduler usually listens on 8786, "
                  "its dashboard on 8787 (parameter SCHEDULER or the GeoIndicators settings).", address=details["address"],
                  reason={"silent": tr("it sent no greeting within {timeout} s", timeout=f"{details['timeout']:g}"),
                          "closed": tr("it closed the connection"), "protocol": tr("it speaks another protocol")}[details["reason"]])
    if error.code == "no_workers_left":
        return tr("The Dask scheduler at {address} has had no workers for {timeout} s: they stopped during the run, which was stopped; nothing was written. "
                  "Restart workers (dask worker {address}) and run again, or run on this computer.", address=details["address"], timeout=f"{details['timeout']:g}")
    if error.code == "scheduler_lost":
        return tr("The connection to the Dask scheduler at {address} was lost during the run: it stopped, or the network is down. The run was stopped; nothing was written.",
                  address=details["address"])
    if error.code == "version_mismatch":
        lines = [
            tr("{package}: {client} here, {cluster} on the cluster", package=mismatch.package, client=mismatch.client or tr("missing"),
               cluster="; ".join(tr("{version} on {machines}", version=version or tr("missing"), machines=", ".join(machines)) for version, machines in mismatch.cluster.items()))
            for mismatch in details["mismatches"]
        ]
        return "\n".join([tr("The Dask cluster at {address} does not run the Python libraries QGIS runs, so its results could differ or fail:\n{lines}",
                              address=details["address"], lines="\n".join(lines)), dependencies.worker_requirements_advice()])
    if error.code == "dask_missing":
        return "\n".join([tr("Dask distributed cannot be loaded here ({reason}), so nothing can run on a cluster: run on this computer, or install it.",
                              reason=details.get("reason", "")), dependencies.how_to_install("cluster")])
    return str(error)


def chunk_failed_message(error):
    if error.worker:
        return tr("Computing the units {units} failed on the worker {worker}: {reason}", units=error.label, worker=error.worker, reason=error.reason)
    return tr("Computing the units {units} failed: {reason}", units=error.label, reason=error.reason)


def earthengine_error_message(error):
    """A translated sentence for a core ``EarthEngineError``: what is wrong and what to set."""
    from .. import dependencies

    details, code = error.details, error.code
    where = tr("Options > Processing > Providers > GeoIndicators, or the environment variable")
    if code == "ee_missing":
        return "\n".join([tr("The Earth Engine client (earthengine-api) cannot be loaded ({reason}).", reason=details.get("reason", "")),
                          dependencies.how_to_install("earthengine")])
    if code == "no_credentials":
        return tr("No Earth Engine credentials were found. Set a service-account key file ({where} GEOINDICATORS_EE_KEY_FILE), or run "
                  "'earthengine authenticate' once as this user, or set Google's application-default credentials.", where=where)
    if code == "bad_key_file":
        return tr("The Earth Engine key file {path} cannot be used ({reason}). Give the path of a service account's JSON key ({where} "
                  "GEOINDICATORS_EE_KEY_FILE).", path=details["path"], reason=details["reason"], where=where)
    if code == "credentials_refused":
        return tr("Earth Engine refused the credentials ({source}): {reason}. Check the key or run 'earthengine authenticate' again, and that the account "
                  "may use Earth Engine in the project.", source=details.get("source", ""), reason=details.get("reason", ""))
    if code == "no_project":
        return tr("No Google Cloud project is set for Earth Engine, or it was refused. Set it ({where} GEOINDICATORS_EE_PROJECT).", where=where)
    if code == "unreachable":
        return tr("Cannot reach Earth Engine at {url} ({reason}). Check the network, the proxy, and the API address setting (GEOINDICATORS_EE_API_URL).",
                  url=details["url"], reason=details["reason"])
    if code == "asset_not_found":
        return tr("The Earth Engine asset '{asset}' cannot be read: {reason}. Check its id (IMAGE) and that your account can read it.",
                  asset=details["asset"], reason=details["reason"])
    if code == "not_an_image":
        return tr("The Earth Engine asset '{asset}' is a {kind}, not an image or an image collection (IMAGE).", asset=details["asset"], kind=details["kind"])
    if code == "no_images":
        return tr("The collection '{asset}' has no image between {start} and {end}: widen the dates (DATE_START, DATE_END).",
                  asset=details["asset"], start=details["start"] or "…", end=details["end"] or "…")
    if code == "missing_band":
        return tr("The Earth Engine image '{asset}' has no band '{band}'; its bands are {bands} (BANDS).", asset=details["asset"], band=details["band"],
                  bands=", ".join(details["bands"]))
    if code == "unsupported_projection":
        return tr("The Earth Engine image '{asset}' has no projection with a grid ({projection}): choose bands that have one (BANDS).",
                  asset=details["asset"], projection=details["projection"])
    if code == "unit_too_large":
        return tr("The unit {unit} alone makes a request of {size} MB, over Earth Engine's 10 MiB limit: simplify the units (Simplify, with a tolerance "
                  "below the image's cell size) and run again.", unit=details["unit"], size=f"{details['bytes'] / 1e6:.1f}")
    if code == "timeout":
        return tr("Earth Engine did not answer within {seconds} s for the units {units}. Run again; if it persists, use fewer units per task "
                  "(GeoIndicators settings).", seconds=f"{details['seconds']:g}", units=details["units"])
    if code == "batch_failed":
        return tr("Earth Engine failed on the units {units}: {reason}", units=details["units"], reason=details["reason"])
    return str(error)
