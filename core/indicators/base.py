"""What an indicator is, and the registry of indicators by name.

An indicator is a request (its settings: the theme and measure of the overlay, the raster and
statistics of zonal statistics…) with four steps that ``execution.runner.run`` calls in order:

- ``prepare(units)``: the work done once, before any chunk (repairing the theme, coding classes);
- ``units_to_compute(units)``: which units go into chunks (None: all of them);
- ``task(chunk)``: the arguments of ``chunk_function`` for one chunk, plain picklable data;
- ``chunk_function(*task)``: a module-level function run on this computer or a Dask worker;
- ``reduce(units, chunks, partials)``: the result, from every chunk's partial result.
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

    def prepare(self, units):
        pass

    def units_to_compute(self, units):
        return None

    def task(self, chunk):
        raise NotImplementedError

    def reduce(self, units, chunks, partials):
        raise NotImplementedError
