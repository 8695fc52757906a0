"""`kintrace serve` for the crash tests: ``python tests/surge/serve_main.py --port N ...``.

KINTRACE_TEST_STALE_CLAIM_S shortens the minute after which a dead request's Idempotency-Key
claim is taken over (kintrace.intake.idempotency.STALE_IN_FLIGHT) so that CI does not wait for
it. A file, not ``python -c``: with ``--workers`` uvicorn starts each worker with
multiprocessing's "spawn", which runs this file again (not as __main__) in the worker, so the
shorter time reaches the processes that serve the requests too.
"""

from __future__ import annotations

import datetime
import os
import sys

import kintrace.intake.idempotency as idempotency

_stale = float(os.environ.get("KINTRACE_TEST_STALE_CLAIM_S", "-1"))
if _stale >= 0:
    idempotency.STALE_IN_FLIGHT = datetime.timedelta(seconds=_stale)

if __name__ == "__main__":
    from kintrace.cli.main import app

    app(["serve", *sys.argv[1:]])
