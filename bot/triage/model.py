"""The answerability model: the probability that a candidate entry is the right answer.

A logistic regression over the generic evidence of ``evidence.py`` (about a dozen
standardised measurements, no words as features), fitted on labelled inquiries by
``indgang bench triage --fit`` and shipped as a small JSON file an admin can read:
each weight says how much a measurement counts for or against answering.
Pure Python at run time: a dot product and a sigmoid.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "answerability.json"


@dataclass(frozen=True)
class AnswerModel:
    """Weights per feature on standardised values (value - mean) / scale, plus a bias."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5  # the probability the fit found best; settings may override
    note: str = ""
    clip: float = 0.0  # standardised values are held within ±clip (0: not at all)
    _terms: tuple[tuple[str, float, float, float], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_terms", tuple(zip(self.features, self.means, self.scales, self.weights,
                                                     strict=True)))

    def probability(self, values: Mapping[str, float]) -> float:
        """A value far outside what the fit saw (a perfect fuzzy match, say) counts as a
        strong one, not as a lever pulled ten standard deviations: hence the clip.
        A plain loop: it runs for every candidate of every inquiry."""
        limit = self.clip or math.inf
        get = values.get
        total = 0.0
        for f, m, s, w in self._terms:
            x = (get(f, 0.0) - m) / s
            total += w * (limit if x > limit else -limit if x < -limit else x)
        z = self.bias + total
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {"note": self.note, "threshold": round(self.threshold, 4), "clip": self.clip,
                "bias": round(self.bias, 6),
                "features": {f: {"weight": round(w, 6), "mean": round(m, 6), "scale": round(s, 6)}
                             for f, m, s, w in zip(self.features, self.means, self.scales, self.weights, strict=True)}}

    @classmethod
    def from_json(cls, data: dict) -> AnswerModel:
        names = tuple(data["features"])
        cells = [data["features"][n] for n in names]
        return cls(names, tuple(float(c["mean"]) for c in cells),
                   tuple(float(c["scale"]) or 1.0 for c in cells),
                   tuple(float(c["weight"]) for c in cells), float(data["bias"]),
                   float(data.get("threshold", 0.5)), str(data.get("note", "")), float(data.get("clip", 0.0)))


def save_model(model: AnswerModel, path: Path = DEFAULT_MODEL) -> None:
    path.write_text(json.dumps(model.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@lru_cache(maxsize=8)
def load_model(path: Path = DEFAULT_MODEL) -> AnswerModel:
    """The shipped model (cached: decide must not read a file per inquiry)."""
    return AnswerModel.from_json(json.loads(path.read_text(encoding="utf-8")))
