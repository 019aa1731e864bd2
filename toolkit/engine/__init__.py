"""Engines that run a stage over many shards: in this process, in a process pool, or on a Dask cluster."""
