"""The chunked run every indicator shares: plan → map over chunks → reduce.

An indicator (``indicators.base.Indicator``) says what one chunk computes and how the chunks'
partial results combine; this module does the rest, the same way for every indicator: units
checked and repaired once, cut into chunks that do not depend on the executor (``Chunk.number``
names the same units on any computer or cluster), one task per chunk on the executor with progress
and cancel, then the reduce over all chunks as a step of its own (interpolation needs sums over
every chunk; a resumed run reduces the parts kept from earlier runs with the new ones).

With a ``state`` (``warehouse.facts.PostgresState`` or anything with its ``load`` and ``save``),
the run resumes and is incremental (``execution.resume``): fingerprints first, then only the
units whose fingerprints changed are computed, each chunk saved as it finishes.
"""

from dataclasses import dataclass

import numpy as np

from ..geometry.partition import chunks as split_into_chunks
from ..geometry.repair import dissolve
from ..model.units import Units, prepare_units
from . import resume
from .config import DEFAULT_CHUNK_SIZE
from .local import LocalExecutor


@dataclass
class RunCounts:
    """How many units a run computed and how many it took from the state of earlier runs."""

    computed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Chunk:
    """One chunk: its number in the plan and the positions of its units."""

    number: int
    positions: np.ndarray


def plan_chunks(units, chunk_size=DEFAULT_CHUNK_SIZE, include=None):
    """The chunks of ``units`` (``PreparedUnits``): neighbouring units together, ``chunk_size``
    at most each; ``include`` (a mask) keeps only some units in them."""
    positions = np.arange(len(units))
    if include is not None:
        positions = positions[include]
    parts = split_into_chunks(units.geometries[positions], chunk_size) if len(positions) else []
    return [Chunk(number, positions[part]) for number, part in enumerate(parts)]


def run(indicator, units, executor=None, chunk_size=DEFAULT_CHUNK_SIZE, on_progress=None, should_stop=None, state=None, level=None):
    """Compute ``indicator`` over ``units`` (``model.units.Units``); returns its result, with
    ``run_counts`` (a ``RunCounts`` of the units' own level).

    ``on_progress(fraction)`` is called as chunks finish; ``should_stop()`` is polled and ends the
    run with ``Cancelled``; ``executor`` is a ``LocalExecutor`` (the default) or a ``DaskExecutor``.
    ``state`` makes the run resumable and incremental; ``level`` names the level of ``units`` in
    it (None: the units themselves; parents' rounds use their level's name).
    """
    executor = executor or LocalExecutor()
    prepared = prepare_units(units)
    if state is not None:
        # Parts kept between runs name features by content, not by position.
        indicator.content_keys = True
    indicator.prepare(prepared)
    include = indicator.units_to_compute(prepared)
    # Indicators whose parents must be computed again on the dissolved units (zonal statistics)
    # run once more per level; the progress bar covers every round.
    levels = prepared.hierarchy.levels if getattr(indicator, "parents_by_dissolving", False) else []
    rounds = 1 + len(levels)

    def progress_of(round_number, start=0.0, share=1.0):
        def progress(done, total):
            if on_progress is not None:
                on_progress((round_number + start + share * done / total) / rounds)

        return progress

    if state is None:
        chunks = plan_chunks(prepared, chunk_size, include)
        labels = [prepared.label(chunk.positions) for chunk in chunks]
        partials = executor.run(indicator.chunk_function, (indicator.task(chunk) for chunk in chunks), progress_of(0), should_stop, labels)
        counts = RunCounts(computed=sum(len(chunk.positions) for chunk in chunks))
    else:
        chunks, partials, counts = _resumed(indicator, units, prepared, include, executor, chunk_size, should_stop, state, level, progress_of)
    result = indicator.reduce(prepared, chunks, partials)
    result.run_counts = counts
    for number, parent_level in enumerate(levels, start=1):
        parents = Units(parent_level.ids, dissolve(prepared.geometries, parent_level.of_unit, len(parent_level.ids)))
        result.add_level(run(indicator.for_level(parent_level), parents, executor, chunk_size, lambda fraction, n=number: progress_of(n)(fraction, 1.0), should_stop,
                             state, parent_level.name))
    return result


def _stored_partial(indicator, stored_parts, level):
    """The partial of the units kept from the state: ``stored_parts`` as (position, unit ID, part
    bytes). A part that does not decode names its unit (``resume.StateUnreadable``)."""
    parts = []
    for position, unit, data in stored_parts:
        try:
            parts.append((position, resume.decode_part(data)))
        except ValueError as error:
            raise resume.StateUnreadable(unit, level, str(error)) from None
    try:
        return indicator.join_parts(parts)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise resume.StateUnreadable(None, level, f"{type(error).__name__}: {error}"[:200]) from None


def _resumed(indicator, units, prepared, include, executor, chunk_size, should_stop, state, level, progress_of):
    """The chunks and partials of a resumable run: the fingerprints of every unit, the parts of
    unchanged units from ``state``, the other units computed and saved chunk by chunk."""
    every_chunk = plan_chunks(prepared, chunk_size, include)
    labels = [prepared.label(chunk.positions) for chunk in every_chunk]
    unit_hashes = resume.geometry_digests(np.asarray(units.geometries, dtype=object))
    input_hashes = np.full(len(prepared), "", dtype=object)
    found = executor.run(indicator.fingerprint_function, (indicator.fingerprint_task(chunk) for chunk in every_chunk),
                         progress_of(0, 0.0, resume.FINGERPRINT_SHARE), should_stop, labels)
    for chunk, hashes in zip(every_chunk, found):
        input_hashes[chunk.positions] = hashes
    params_hash = resume.settings_hash(indicator.settings(), state.code_version)
    ids = [str(unit) for unit in prepared.ids]
    candidates = np.concatenate([chunk.positions for chunk in every_chunk]) if every_chunk else np.zeros(0, np.int64)
    stored = {} if state.recompute else state.load(level, [ids[position] for position in candidates], params_hash)
    kept = np.array([position for position in candidates
                     if stored.get(ids[position], (None, None))[:2] == (unit_hashes[position], input_hashes[position])], dtype=np.int64)
    to_compute = np.zeros(len(prepared), dtype=bool)
    to_compute[candidates] = True
    to_compute[kept] = False
    # Few units to compute (an edit) still keep every thread busy: the state is per unit, so
    # these chunks need not be the ones of a full run.
    spread = max(1, int(np.ceil(to_compute.sum() / max(1, getattr(executor, "parallelism", 1)))))
    chunks = plan_chunks(prepared, min(chunk_size, spread), to_compute)
    labels = [prepared.label(chunk.positions) for chunk in chunks]

    def save(number, partial):
        rows = [(ids[position], unit_hashes[position], input_hashes[position], resume.encode_part(part)) for position, part in indicator.split_partial(partial)]
        state.save(level, rows, params_hash)

    partials = executor.run(indicator.chunk_function, (indicator.task(chunk) for chunk in chunks),
                            progress_of(0, resume.FINGERPRINT_SHARE, 1.0 - resume.FINGERPRINT_SHARE), should_stop, labels, on_result=save)
    if len(kept):
        partials = [_stored_partial(indicator, [(int(position), ids[position], stored[ids[position]][2]) for position in kept], level), *partials]
    return chunks, partials, RunCounts(computed=int(to_compute.sum()), skipped=len(kept))
