"""What an indicator is, and the registry of indicators by name.

An indicator is a request (its settings: the theme and measure of the overlay, the raster and
statistics of zonal statistics…) with four steps that ``execution.runner.run`` calls in order:

- ``prepare(units)``: the work done once, before any chunk (repairing the theme, coding classes);
- ``units_to_compute(units)``: which units go into chunks (None: all of them);
- ``task(chunk)``: the arguments of ``chunk_function`` for one chunk, plain picklable data;
- ``chunk_function(*task)``: a module-level function run on this computer or a Dask worker;
- ``reduce(units, chunks, partials)``: the result, from every chunk's partial result.

For resumable runs (``execution.resume``), four more:

- ``settings()``: what else than the inputs changes a result (JSON values), for ``params_hash``;
- ``fingerprint_function(*fingerprint_task(chunk))``: per unit of the chunk, a digest of the inputs
  near it; ``fingerprint_task`` defaults to ``(labels, *task(chunk))``;
- ``split_partial(partial)``: ``[(unit position, part)]``, each unit's share of a chunk's partial;
- ``join_parts(parts)``: one partial from units' parts (positions of this run), for ``reduce``.

``content_keys`` is set before ``prepare`` when parts are kept: features must then be keyed by
their content (``resume.content_keys``), not by their position in the layer.
"""

INDICATORS = {}


def register(name):
    """Class decorator: make the indicator class findable as ``INDICATORS[name]``."""

    def add(cls):
        cls.name = name
        INDICATORS[name] = cls
        return cls

    return add


class Indicator:
    name = None
    chunk_function = None
    fingerprint_function = None
    content_keys = False

    def prepare(self, units):
        pass

    def units_to_compute(self, units):
        return None

    def task(self, chunk):
        raise NotImplementedError

    def reduce(self, units, chunks, partials):
        raise NotImplementedError

    def settings(self):
        raise NotImplementedError

    def fingerprint_labels(self):
        """The labels of the coded columns of the features (column → label of each code)."""
        return {}

    def fingerprint_task(self, chunk):
        return (self.fingerprint_labels(), *self.task(chunk))

    def split_partial(self, partial):
        raise NotImplementedError

    def join_parts(self, parts):
        raise NotImplementedError
