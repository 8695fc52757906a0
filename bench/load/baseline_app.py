"""The plain baseline: a minimal FastAPI endpoint doing one durable SQLite insert per request
(WAL, synchronous=FULL, one transaction each) — what any web service pays to say "saved".

Run by bench/load/run.py as ``uvicorn baseline_app:app`` with ``BASELINE_DB`` set.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import Any

from fastapi import FastAPI

DB = os.environ.get("BASELINE_DB", "/tmp/kintrace-baseline.sqlite3")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DB, isolation_level=None, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        _local.conn = conn
    return conn


_connection().execute(
    "CREATE TABLE IF NOT EXISTS enquiry (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"
)
app = FastAPI()


@app.post("/api/v1/enquiries", status_code=201)
def create(body: dict[str, Any]) -> dict[str, int]:
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        cursor = conn.execute("INSERT INTO enquiry (body) VALUES (?)", (json.dumps(body),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {"id": int(cursor.lastrowid or 0)}
