"""Queries over the question bank: loading, lookup, search and export."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.models import KeyPoint, Question, Snippet, SnippetResult
from db.connection import writing


@dataclass(frozen=True)
class LoadReport:
    added: int
    updated: int
    unchanged: int
    retired: int


def _content_hash(question: Question) -> str:
    # every stored column of the question and its snippets (code, added code, results): any change reloads it
    return hashlib.sha256(json.dumps(_question_row(question, ""), ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _question_row(q: Question, now: str) -> dict[str, Any]:
    return {
        "id": q.id, "level": q.level, "number": q.number, "category": q.category, "title": q.title,
        "answer": q.answer, "rarity": q.rarity, "difficulty": q.difficulty, "source": q.source,
        "notes": json.dumps(list(q.notes), ensure_ascii=False),
        "key_points": json.dumps([{"phrase": k.phrase, "synonyms": list(k.synonyms)} for k in q.key_points], ensure_ascii=False),
        "snippets": [_snippet_row(q.id, n, s) for n, s in enumerate(q.snippets, 1)],
    }


def _snippet_row(qid: str, n: int, s: Snippet) -> dict[str, Any]:
    r = s.result or SnippetResult("pending")
    return {
        "question_id": qid, "position": n, "language": s.language, "code": s.code, "truncated": int(s.truncated),
        "setup": s.setup, "completion": s.completion,
        "status": r.status, "output": r.output, "value": r.value, "stderr": r.stderr, "reason": r.reason, "seconds": r.seconds,
        "figures": json.dumps(list(r.figures)), "versions": json.dumps(r.versions), "stands_in": json.dumps(list(r.stands_in)),
    }


def load_questions(db: Database, questions: list[Question], now: datetime) -> LoadReport:
    """Idempotent: unchanged rows are left alone, changed ones updated in place (ids keep what refers
    to them), and questions whose files are gone are retired, never deleted."""
    stamp = now.isoformat()
    added = updated = unchanged = 0
    with writing(db):  # read inside: another process may load the bank at the same time
        existing = {row["id"]: row for row in db.query("select id, content_hash, retired_at from questions")}
        for q in questions:
            digest = _content_hash(q)
            old = existing.get(q.id)
            if old and old["content_hash"] == digest and old["retired_at"] is None:
                unchanged += 1
                continue
            row = _question_row(q, stamp)
            snippets = row.pop("snippets")
            row.update(content_hash=digest, retired_at=None, loaded_at=stamp)
            db.table("questions").upsert(row, pk="id")
            db.execute("delete from snippets where question_id = ?", [q.id])
            if snippets:
                db.table("snippets").insert_all(snippets, pk=("question_id", "position"))
            added, updated = (added + 1, updated) if old is None else (added, updated + 1)
        gone = [qid for qid, row in existing.items() if row["retired_at"] is None and qid not in {q.id for q in questions}]
        for qid in gone:
            db.table("questions").update(qid, {"retired_at": stamp})
    return LoadReport(added, updated, unchanged, len(gone))


def _question(row: dict[str, Any], snippet_rows: list[dict[str, Any]]) -> Question:
    snippets = tuple(
        Snippet(
            language=s["language"], code=s["code"], setup=s["setup"] or "", completion=s["completion"] or "",
            truncated=bool(s["truncated"]),
            stands_in=tuple(json.loads(s["stands_in"] or "[]")),
            result=SnippetResult(
                status=s["status"], output=s["output"] or "", value=s["value"] or "", stderr=s["stderr"] or "", reason=s["reason"] or "",
                seconds=s["seconds"], figures=tuple(json.loads(s["figures"] or "[]")),
                versions=json.loads(s["versions"] or "{}"), stands_in=tuple(json.loads(s["stands_in"] or "[]")),
            ),
        )
        for s in snippet_rows
    )
    return Question(
        id=row["id"], level=row["level"], number=row["number"], category=row["category"], title=row["title"],
        answer=row["answer"], snippets=snippets, rarity=row["rarity"], difficulty=row["difficulty"],
        source=row["source"], notes=tuple(json.loads(row["notes"] or "[]")),
        key_points=tuple(KeyPoint(k["phrase"], tuple(k["synonyms"])) for k in json.loads(row["key_points"] or "[]")),
    )


def get_question(db: Database, question_id: str, *, include_retired: bool = True) -> Question | None:
    rows = list(db.query("select * from questions where id = ?" + ("" if include_retired else " and retired_at is null"), [question_id]))
    if not rows:
        return None
    snippets = list(db.query("select * from snippets where question_id = ? order by position", [question_id]))
    return _question(rows[0], snippets)


def _active(level: str | None, category: str | None) -> tuple[str, list[str]]:
    where, args = ["retired_at is null"], []
    if level:
        where.append("level = ?")
        args.append(level)
    if category:
        where.append("category = ?")
        args.append(category)
    return " and ".join(where), args


def active_questions(db: Database, level: str | None = None, category: str | None = None) -> list[Question]:
    where, args = _active(level, category)
    rows = list(db.query(f"select * from questions where {where} order by level, number", args))
    snippets: dict[str, list[dict[str, Any]]] = {}
    for s in db.query("select * from snippets order by question_id, position"):
        snippets.setdefault(s["question_id"], []).append(s)
    return [_question(row, snippets.get(row["id"], [])) for row in rows]


def active_ids(db: Database, level: str | None = None, category: str | None = None) -> list[str]:
    where, args = _active(level, category)
    return [r["id"] for r in db.query(f"select id from questions where {where} order by level, number", args)]


def categories(db: Database, level: str | None = None) -> list[str]:
    sql = "select category, min(level) lv, min(number) n from questions where retired_at is null"
    args = []
    if level:
        sql += " and level = ?"
        args.append(level)
    return [r["category"] for r in db.query(sql + " group by category order by lv, n", args)]


def question_titles(db: Database) -> list[tuple[str, str]]:
    return [(r["id"], r["title"]) for r in db.query("select id, title from questions where retired_at is null order by level, number")]


def search(db: Database, text: str, limit: int = 10) -> list[str]:
    """Question ids whose title or answer contains `text` (trigram FTS needs 3+ characters)."""
    if len(text) < 3:
        like = f"%{text}%"
        rows = db.query("select id from questions where retired_at is null and (title like ? or answer like ?) limit ?",
                        [like, like, limit])
    else:
        phrase = '"' + text.replace('"', '""') + '"'
        rows = db.query(
            "select questions.id from questions join questions_fts on questions.rowid = questions_fts.rowid "
            "where questions_fts match ? and retired_at is null order by rank limit ?", [phrase, limit])
    return [r["id"] for r in rows]
