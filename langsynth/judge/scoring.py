"""Scores from token log-probabilities: P(yes) of a one-token answer, P(digit) of a verdict.

OpenAI-compatible servers (llama.cpp, OpenAI, vLLM) report the top alternatives of each
output token. A one-token "yes"/"no" answer then gives a probability rather than a coin
flip: the checklist judge reads P(yes) of each question (CheckEval / TICK style), which
separates fitting from unfitting answers where the sampled word does not (a 1.5B model
answers "yes" to almost everything, but with visibly less confidence when it is wrong).
Models without log-probabilities still work: the answer word counts as 0 or 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

TOP_LOGPROBS = 10
YES_WORDS = frozenset({"yes", "y", "true", "예", "네"})
NO_WORDS = frozenset({"no", "n", "false", "아니요", "아니오", "아니"})


def with_logprobs(llm: BaseChatModel, *, max_tokens: int | None = None) -> BaseChatModel:
    """An OpenAI-compatible model asked for the top log-probabilities (others unchanged).

    ``max_tokens`` replaces the model's limit (the checklist asks for one token).
    """
    from langchain_openai.chat_models.base import BaseChatOpenAI

    if not isinstance(llm, BaseChatOpenAI):
        return llm
    update: dict[str, Any] = {}
    if not llm.logprobs or (llm.top_logprobs or 0) < TOP_LOGPROBS:
        update.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
    if max_tokens is not None and llm.max_tokens != max_tokens:
        update["max_tokens"] = max_tokens
    return llm.model_copy(update=update) if update else llm


def token_logprobs(message: BaseMessage | None) -> list[dict[str, Any]]:
    """The per-token log-probability entries of a reply (``[]`` when not reported)."""
    meta = getattr(message, "response_metadata", None) or {}
    return list((meta.get("logprobs") or {}).get("content") or [])


def _word(token: str) -> str:
    return re.sub(r"[^\w가-힣]", "", token).lower()


def yes_probability(message: BaseMessage | None) -> float | None:
    """P(yes) / (P(yes) + P(no)) of the reply's first token; ``None`` if it is neither.

    Without log-probabilities the answer's first word decides: 1.0 for yes, 0.0 for no.
    """
    entries = token_logprobs(message)
    if entries:
        yes = no = 0.0
        for alt in entries[0].get("top_logprobs") or [entries[0]]:
            word = _word(str(alt.get("token", "")))
            p = math.exp(float(alt.get("logprob", -math.inf)))
            if word in YES_WORDS:
                yes += p
            elif word in NO_WORDS:
                no += p
        if yes + no > 0:
            return yes / (yes + no)
    text = str(getattr(message, "content", "") or "")
    first = _word(text.split()[0]) if text.split() else ""
    if first in YES_WORDS:
        return 1.0
    if first in NO_WORDS:
        return 0.0
    return None


_SCORE_KEY_RE = re.compile(r'"score"\s*:\s*$')
_DIGITS = {"1", "2", "3", "4", "5"}


def score_distribution(message: BaseMessage | None) -> dict[int, float] | None:
    """P(score = k) read from the token log-probabilities of a JSON ``{"score": k}`` verdict."""
    text = ""
    for tok in token_logprobs(message):
        token = str(tok.get("token", ""))
        if token.strip() in _DIGITS and _SCORE_KEY_RE.search(text):
            probs: dict[int, float] = {}
            for alt in tok.get("top_logprobs") or []:
                t = str(alt.get("token", "")).strip()
                if t in _DIGITS:
                    probs[int(t)] = probs.get(int(t), 0.0) + math.exp(float(alt["logprob"]))
            total = sum(probs.values())
            if total <= 0:
                return None
            return {k: v / total for k, v in sorted(probs.items())}
        text += token
        if len(text) > 400:
            break
    return None


def expected_value(distribution: Mapping[int, float]) -> float:
    """The mean of a score distribution."""
    return sum(k * p for k, p in distribution.items())


def round_score(value: float) -> int:
    """A 1-5 digit from a fractional score (halves round up)."""
    return min(5, max(1, math.floor(value + 0.5)))
