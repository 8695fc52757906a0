"""Matching: find the records that describe the same person, with calibrated probabilities.

Public interface (used by the CLI, the quality benchmark and the service):

- `link_records(left, right=None, *, threshold=0.01, explain=False, progress=None)`
  -> list[ScoredPair]: batch linking of exchange records (dicts of strings with the
  exchange-CSV columns). One list: duplicates within it, each unordered pair once.
  Two lists: left_id from `left`, right_id from `right`.
- `CandidateIndex(records).query(record, min_probability=0.01, limit=50)`
  -> list[ScoredPair]: one enquiry against an in-process index of reports; the same
  probability as the batch path for the same pair.
- `MODEL_VERSION`: the version of the shipped parameters, recorded with every match.

Probabilities are calibrated: 0.5 or more means "the same person". See docs/matching.md.
"""

from __future__ import annotations

from kintrace.matching.batch import link_records
from kintrace.matching.engine import ScoredPair
from kintrace.matching.model import model_version
from kintrace.matching.realtime import CandidateIndex

MODEL_VERSION: str = model_version()

__all__ = ["MODEL_VERSION", "CandidateIndex", "ScoredPair", "link_records"]
