"""A small scorer for our own sample gold: (document, metric, value) matches and exact bounds."""

from __future__ import annotations

TOL = 0.005


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOL * max(abs(a), abs(b), 1e-9)


def score_claims(gold: list[dict], preds: list[dict]) -> dict[str, float]:
    """Precision, recall and F1 of value matches (optional gold neither helps nor hurts)."""
    unused = list(preds)
    matched = exact = optional_hits = 0
    for g in sorted(gold, key=lambda g: g.get("optional", False)):
        cands = [
            p
            for p in unused
            if p["file_name"] == g["doc"]
            and p["metric"] == g["metric"]
            and (g["metric"] != "money" or (p.get("unit") or "") == (g.get("unit") or ""))
        ]
        values = [v for v in (g["low"], g["high"]) if v is not None]
        bounds = [
            p
            for p in cands
            if _close(p["value_low"], g["low"]) and _close(p["value_high"], g["high"])
        ]
        loose = [
            p
            for p in cands
            if any(
                _close(v, x)
                for v in values
                for x in (p["value_low"], p["value_high"])
                if x is not None
            )
        ]
        hit = (bounds or loose or [None])[0]
        if hit is None:
            continue
        unused.remove(hit)
        if g.get("optional"):
            optional_hits += 1
            continue
        matched += 1
        exact += bool(bounds)
    required = sum(1 for g in gold if not g.get("optional"))
    n_pred = len(preds) - optional_hits
    precision = matched / n_pred if n_pred else 0.0
    recall = matched / required if required else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "bounds_accuracy": exact / matched if matched else 0.0,
        "matched": matched,
    }
