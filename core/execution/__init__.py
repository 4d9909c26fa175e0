"""Where and how tasks run: this computer (``local``), a Dask cluster (``dask_cluster``), the
chunked run every indicator shares (``runner``) and the execution settings (``config``)."""

from .local import LocalExecutor  # noqa: F401 (the old ``core.execution`` module's name)
