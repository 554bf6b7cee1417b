# gunicorn reads ./gunicorn.conf.py by default (the Dockerfile's WORKDIR and bench/run.py's
# cwd are the repository root). Web-service tokens travel in URL paths: the access log masks
# them (webservices/gunicorn.py).
logger_class = "webservices.gunicorn.MaskingLogger"
