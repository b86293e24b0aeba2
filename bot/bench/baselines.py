"""Top-1 baselines: what plain similarity does without Indgang's checks.

scikit-learn and bm25s are imported inside the builders: they are benchmark-only
dependencies and must not slow the bot's start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.bench.metrics import Outcome
from bot.triage.text import fold
from bot.types import Entry

Match = Callable[[list[dict] | None, list[float]], list[Outcome]]


def _phrasings(entries: list[Entry]) -> tuple[list[str], list[str]]:
    texts, ids = [], []
    for e in entries:
        for q in (e.title, *e.questions):
            texts.append(q)
            ids.append(e.id)
    return texts, ids


def _runner(best: Callable[[str], tuple[str, float]]) -> Match:
    def match(cases: list[dict] | None, timings: list[float]) -> list[Outcome]:
        out = []
        for case in cases or []:
            start = time.perf_counter()
            entry_id, score = best(case["text"])
            timings.append(time.perf_counter() - start)
            out.append(Outcome(case, entry_id, score, True))
        return out
    return match


def wratio(entries: list[Entry]) -> Match:
    from rapidfuzz import fuzz, process, utils
    texts, ids = _phrasings(entries)

    def best(text: str) -> tuple[str, float]:
        _, score, i = process.extractOne(text, texts, scorer=fuzz.WRatio, processor=utils.default_process)
        return ids[i], score / 100
    return _runner(best)


def bm25(entries: list[Entry]) -> Match:
    import bm25s
    import numpy as np
    corpus = [fold(" ".join([e.title, *e.questions, *e.tags])) for e in entries]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, show_progress=False), show_progress=False)

    def best(text: str) -> tuple[str, float]:
        scores = retriever.get_scores(bm25s.tokenize([fold(text)], show_progress=False, return_ids=False)[0])
        i = int(np.argmax(scores))
        return entries[i].id, float(scores[i]) / (1.0 + float(scores[i]))
    return _runner(best)


def tfidf(entries: list[Entry]) -> Match:
    from sklearn.feature_extraction.text import TfidfVectorizer
    texts, ids = _phrasings(entries)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold)
    matrix = vectorizer.fit_transform(texts)

    def best(text: str) -> tuple[str, float]:
        sims = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        i = int(sims.argmax())
        return ids[i], float(sims[i])
    return _runner(best)


BASELINES: dict[str, Callable[[list[Entry]], Match]] = {
    "rapidfuzz WRatio top-1": wratio,
    "BM25 (bm25s) top-1": bm25,
    "TF-IDF char 3-5 top-1": tfidf,
}
