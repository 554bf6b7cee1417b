"""gunicorn.conf.py: the settings gunicorn reads from the repository root."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_each_worker_freezes_the_loaded_app_and_raises_the_collection_threshold():
    conf = runpy.run_path(str(CONF))
    assert conf["logger_class"] == "webservices.gunicorn.MaskingLogger"
    before = gc.get_threshold()
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_threshold() == conf["GC_THRESHOLD"]
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
