"""How well the answer scorer ranks hand-labelled answers, beside plain string similarity.

    .venv/bin/python bench/bench_feedback.py

AUC good>wrong: the chance that a random good answer scores above a random wrong one (0.5 = coin toss).
good>reuse: the same against the wrong answers that reuse the question's own terms (swapped, negated).
"tuned" are the answers the thresholds were chosen on; "held out" were written afterwards and never
used for tuning, so they are the honest estimate. Baselines compare the answer with the model answer
only: difflib's SequenceMatcher ratio and rapidfuzz's ratio / partial_ratio (both 0-100 after scaling).
Copies: how many pasted model answers get the "looks copied" message, and how many labelled answers
written in members' own words get it by mistake (should be 0).
"""
from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path
from statistics import mean

import yaml
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content.check import read_bank  # noqa: E402
from bot.core.answer_text import normalize  # noqa: E402
from bot.services.feedback import Grader  # noqa: E402


def auc(positives: list[float], negatives: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def methods(grader: Grader, model: dict[str, str]) -> dict:
    return {
        "scorer (coverage+similarity)": lambda qid, text: grader.grade(qid, text).score,
        "  tf-idf cosine only": lambda qid, text: 100 * grader.similarity(qid, text),  # its second signal alone
        "difflib SequenceMatcher": lambda qid, text: 100 * difflib.SequenceMatcher(None, normalize(text), normalize(model[qid])).ratio(),
        "rapidfuzz ratio": lambda qid, text: fuzz.ratio(normalize(text), normalize(model[qid])),
        "rapidfuzz partial_ratio": lambda qid, text: fuzz.partial_ratio(normalize(text), normalize(model[qid])),
    }


def row(name: str, score, answers: list[dict]) -> str:
    by = {"good": [], "partial": [], "wrong": [], "reusing": []}
    for a in answers:
        value = score(a["question"], a["text"])
        by[a["label"]].append(value)
        if a.get("reuses_vocabulary"):
            by["reusing"].append(value)
    means = "/".join(f"{mean(by[k]):3.0f}" for k in ("good", "partial", "wrong", "reusing"))
    return (f"{name:30} {auc(by['good'], by['wrong']):>10.3f} {auc(by['good'], by['reusing']):>10.3f} "
            f"{auc(by['good'], by['partial']):>10.3f} {auc(by['partial'], by['wrong']):>10.3f}   {means}")


def main() -> int:
    questions, _ = read_bank(ROOT / "content")
    labelled = yaml.safe_load((ROOT / "tests/feedback/labelled_answers.yaml").read_text(encoding="utf-8"))
    started = time.perf_counter()
    grader = Grader.fit(questions)
    fit_ms = (time.perf_counter() - started) * 1000
    model = {q.id: q.answer for q in questions}
    sets = {"tuned": labelled["answers"], "held out": labelled["holdout"],
            "all": labelled["answers"] + labelled["holdout"]}
    for label, answers in sets.items():
        counts = {k: sum(a["label"] == k for a in answers) for k in ("good", "partial", "wrong")}
        print(f"\n== {label}: {len(answers)} answers ({counts['good']} good, {counts['partial']} partial, "
              f"{counts['wrong']} wrong), {len({a['question'] for a in answers})} questions")
        print(f"{'method':30} {'good>wrong':>10} {'good>reuse':>10} {'good>part':>10} {'part>wrong':>10}"
              "   mean good/partial/wrong/reusing")
        for name, score in methods(grader, model).items():
            print(row(name, score, answers))
    pairs = labelled["pairs"]
    print(f"\n== minimal pairs: {len(pairs)} (the same words, swapped or negated); share ranked right > wrong, mean gap")
    for name, score in methods(grader, model).items():
        gaps = [score(p["question"], p["right"]) - score(p["question"], p["wrong"]) for p in pairs]
        print(f"{name:30} {sum(g > 0 for g in gaps) / len(gaps):>8.2f}   {mean(gaps):+6.1f}")
    copies = labelled["copies"]
    caught = sum(not grader.grade(c["question"], c["text"]).judged for c in copies)
    wrongly = sum(not grader.grade(a["question"], a["text"]).judged for a in sets["all"])
    pasted = [q for q in questions if q.key_points]
    whole = sum(not grader.grade(q.id, q.answer).judged for q in pasted)
    print(f"\n== copies: {caught}/{len(copies)} labelled pastes and {whole}/{len(pasted)} whole model answers flagged; "
          f"{wrongly}/{len(sets['all'])} own-words answers flagged")
    texts = [(a["question"], a["text"]) for a in sets["all"]]
    started = time.perf_counter()
    for qid, text in texts:
        grader.grade(qid, text)
    grade_ms = (time.perf_counter() - started) * 1000 / len(texts)
    print(f"\nfit: {fit_ms:.0f} ms over {len(questions)} questions; grade: {grade_ms:.2f} ms per answer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
