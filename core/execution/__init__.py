"""Where and how tasks run: this computer (``local``), a Dask cluster (``dask_cluster``: reaching
it in ``dask_connection``, the releases it must share in ``versions``), the chunked run every
indicator shares (``runner``), resumed runs (``resume``) and the execution settings (``config``)."""
