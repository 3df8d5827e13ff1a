"""The fitted answer scorer kept on disk, so `studybot grade` and a restarted bot need not import scikit-learn.

One file holds the TF-IDF's n-grams (as JSON) and idf, and the key they were fitted for: the scorer's texts of
the bank, FIT_VERSION and scikit-learn's version. It is read with numpy's allow_pickle=False, so it is data,
never code: a file someone else wrote could at worst give wrong scores. A file that cannot be read, is for
another key or is malformed is refitted and rewritten without a word (the log says it at debug level); it is
written to a temporary file and renamed, so a reader never sees half of one.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from bot.core.models import Question
from bot.services.feedback import FIT_VERSION, Grader, TfidfModel, reference_text, scored_questions

log = logging.getLogger(__name__)
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError)


def load_or_fit(questions: Iterable[Question], path: Path | None) -> Grader:
    """The grader for these questions: from the model cached at `path` if it was fitted on the same texts,
    else fitted now (and cached there). `path` None: always fitted, never cached."""
    questions = scored_questions(questions)
    if path is None:
        return Grader.fit(questions)
    key = cache_key(reference_text(q) for q in questions)
    model = read_model(path, key)
    if model is not None:
        return Grader.from_model(model, questions)
    grader = Grader.fit(questions)
    write_model(path, key, grader.model)
    return grader


def cache_key(texts: Iterable[str]) -> str:
    digest = hashlib.sha256(f"studybot scorer {FIT_VERSION} scikit-learn {sklearn_version()}".encode())
    for text in sorted(texts):  # the fit does not depend on their order (the database's may differ from the files')
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()


def sklearn_version() -> str:
    """scikit-learn's version without importing it (a second): read from its __init__.py."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return "absent"
    try:
        found = re.search(r'^__version__ = "([^"]+)"', Path(spec.origin).read_text(encoding="utf-8"), re.M)
    except OSError:
        found = None
    return found.group(1) if found else f"unknown at {spec.origin}"


def read_model(path: Path, key: str) -> TfidfModel | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            if bytes(stored["key"]).decode() != key:
                return None
            terms, idf = json.loads(bytes(stored["terms"])), stored["idf"]
    except FileNotFoundError:
        return None
    except _UNREADABLE as exc:
        log.debug("the cached scorer %s is unreadable, so it is fitted again: %s", path, exc)
        return None
    if not (isinstance(terms, list) and all(isinstance(t, str) for t in terms) and len(set(terms)) == len(terms)
            and idf.dtype == np.float64 and idf.shape == (len(terms),) and np.isfinite(idf).all()):
        log.debug("the cached scorer %s is malformed, so it is fitted again", path)
        return None
    return TfidfModel({t: i for i, t in enumerate(terms)}, idf)


def write_model(path: Path, key: str, model: TfidfModel) -> None:
    """Atomically; a cache that cannot be written only costs the next start the fit, so that is logged, not raised."""
    terms = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    temp: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, key=_bytes(key), terms=_bytes(json.dumps(terms, ensure_ascii=False)), idf=model.idf)
        os.replace(temp, path)
    except OSError as exc:
        log.warning("the fitted answer scorer could not be cached at %s (%s); the next start fits it again", path, exc)
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8)
