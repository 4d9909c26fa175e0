"""The chunked run every indicator shares: plan → map over chunks → reduce.

An indicator (``indicators.base.Indicator``) says what one chunk computes and how the chunks'
partial results combine; this module does the rest, the same way for every indicator: units
checked and repaired once, cut into chunks that do not depend on the executor (``Chunk.number``
names the same units on any computer or cluster), one task per chunk on the executor with progress
and cancel, then the reduce over all chunks as a step of its own (interpolation needs sums over
every chunk; a resumed run will reduce partials kept from an earlier run).
"""

from dataclasses import dataclass

import numpy as np

from ..geometry.partition import chunks as split_into_chunks
from ..geometry.repair import dissolve
from ..model.units import Units, prepare_units
from .config import DEFAULT_CHUNK_SIZE
from .local import LocalExecutor


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


def run(indicator, units, executor=None, chunk_size=DEFAULT_CHUNK_SIZE, on_progress=None, should_stop=None):
    """Compute ``indicator`` over ``units`` (``model.units.Units``); returns its result.

    ``on_progress(fraction)`` is called as chunks finish; ``should_stop()`` is polled and ends the
    run with ``Cancelled``; ``executor`` is a ``LocalExecutor`` (the default) or a ``DaskExecutor``.
    """
    executor = executor or LocalExecutor()
    prepared = prepare_units(units)
    indicator.prepare(prepared)
    chunks = plan_chunks(prepared, chunk_size, indicator.units_to_compute(prepared))
    labels = [prepared.label(chunk.positions) for chunk in chunks]
    # Indicators whose parents must be computed again on the dissolved units (zonal statistics)
    # run once more per level; the progress bar covers every round.
    levels = prepared.hierarchy.levels if getattr(indicator, "parents_by_dissolving", False) else []
    rounds = 1 + len(levels)

    def progress_of(round_number):
        def progress(done, total):
            if on_progress is not None:
                on_progress((round_number + done / total) / rounds)

        return progress

    tasks = (indicator.task(chunk) for chunk in chunks)
    partials = executor.run(indicator.chunk_function, tasks, progress_of(0), should_stop, labels)
    result = indicator.reduce(prepared, chunks, partials)
    for number, level in enumerate(levels, start=1):
        parents = Units(level.ids, dissolve(prepared.geometries, level.of_unit, len(level.ids)))
        result.add_level(run(indicator.for_level(level), parents, executor, chunk_size, lambda fraction, n=number: progress_of(n)(fraction, 1.0), should_stop))
    return result
