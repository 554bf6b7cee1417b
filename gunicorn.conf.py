# gunicorn reads ./gunicorn.conf.py by default (the Dockerfile's WORKDIR and bench/run.py's
# cwd are the repository root). Web-service tokens travel in URL paths: the access log masks
# them (webservices/gunicorn.py).
logger_class = "webservices.gunicorn.MaskingLogger"

# The cyclic garbage collector, tuned for a process that serves requests. With Python's
# default threshold (700 new containers) a request that builds a large answer (a FHIR page
# of 50 resources: ~15,000 objects alive until it is written) triggers a collection every
# few hundred objects; what is still alive moves to the older generations and is scanned
# again and again, together with the ~150,000 objects the loaded application holds:
# ~0.7-0.9 ms of collection per FHIR page in-process. A threshold of 5,000 (most of what a
# request allocates is freed by reference counting before it counts) and the loaded
# application frozen out of the collector's generations (gc.freeze, as the standard library
# documents for pre-forking servers) bring it to ~0.04 ms. docs/benchmarks.md has figures.
GC_THRESHOLD = (5000, 10, 10)


def post_worker_init(worker):
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
