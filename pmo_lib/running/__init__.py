"""Running: producing the reports. Notebook execution, kernels, scheduling on the
in-process, local-pool and Dask backends, the runner and its run cache. The only layer
that imports papermill, nbclient or jupyter_client.
"""
