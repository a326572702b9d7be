"""Checks that fine-tuning files will be accepted by their consumers.

:func:`validate_openai_chat` applies the checks of OpenAI's data-preparation guide for chat
fine-tuning; :func:`validate_alpaca` those of the Alpaca format. Both return
``(line, problem)`` pairs (1-based lines; line 0 is about the whole file), empty when valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# What OpenAI's fine-tuning API accepts in a chat example (its data-preparation checks).
OPENAI_ROLES = ("system", "user", "assistant", "tool", "function")
OPENAI_MESSAGE_KEYS = ("role", "content", "name", "weight", "function_call", "tool_calls")
OPENAI_MIN_EXAMPLES = 10
OPENAI_MAX_EXAMPLE_TOKENS = 65_536


def estimate_tokens(text: str) -> int:
    """A rough token count: ~4 characters per token for Latin script, ~1 per CJK/Hangul
    character (no tokenizer download needed)."""
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    return wide + (len(text) - wide + 3) // 4


def validate_openai_chat(
    examples: Sequence[Any], *, min_examples: int = OPENAI_MIN_EXAMPLES
) -> list[tuple[int, str]]:
    """Problems OpenAI's fine-tuning API would reject, as ``(line, problem)`` (1-based).

    The checks of OpenAI's data-preparation guide: each line a JSON object with a non-empty
    ``messages`` list; each message a dict with ``role`` and ``content``, no unknown keys,
    a known role, string content that is not empty (unless it is a tool/function call);
    ``weight`` only 0 or 1 and only on assistant messages; at least one assistant message;
    an estimated size under the per-example token limit; and at least ``min_examples``
    examples in the file.
    """
    issues: list[tuple[int, str]] = []
    for line, example in enumerate(examples, start=1):
        if not isinstance(example, dict):
            issues.append((line, "not a JSON object"))
            continue
        unknown_top = sorted(set(example) - {"messages", "tools", "parallel_tool_calls"})
        if unknown_top:
            issues.append((line, f"unknown top-level key(s) {unknown_top}"))
        messages = example.get("messages")
        if not isinstance(messages, list) or not messages:
            issues.append((line, "missing or empty 'messages' list"))
            continue
        size = 0
        for i, message in enumerate(messages):
            where = f"message {i}"
            if not isinstance(message, dict):
                issues.append((line, f"{where} is not an object"))
                continue
            if "role" not in message or "content" not in message:
                issues.append((line, f"{where} lacks 'role' or 'content'"))
            unknown = sorted(set(message) - set(OPENAI_MESSAGE_KEYS))
            if unknown:
                issues.append((line, f"{where} has unknown key(s) {unknown}"))
            role = message.get("role")
            if role not in OPENAI_ROLES:
                issues.append((line, f"{where} has unknown role {role!r}"))
            content = message.get("content")
            is_call = bool(message.get("function_call") or message.get("tool_calls"))
            if not is_call and (not isinstance(content, str) or not content.strip()):
                issues.append((line, f"{where} ({role}) has no text content"))
            if "weight" in message:
                if role != "assistant":
                    issues.append((line, f"{where}: 'weight' is only allowed on assistant"))
                elif message["weight"] not in (0, 1):
                    issues.append((line, f"{where}: 'weight' must be 0 or 1"))
            size += estimate_tokens(content) if isinstance(content, str) else 0
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
            issues.append((line, "no assistant message"))
        if size > OPENAI_MAX_EXAMPLE_TOKENS:
            issues.append((line, f"about {size} tokens, over {OPENAI_MAX_EXAMPLE_TOKENS}"))
    if len(examples) < min_examples:
        issues.append(
            (0, f"{len(examples)} examples; the fine-tuning API needs at least {min_examples}")
        )
    return issues


def validate_alpaca(examples: Sequence[Any]) -> list[tuple[int, str]]:
    """Problems in Alpaca examples: exactly instruction/input/output strings, non-empty
    instruction and output."""
    issues: list[tuple[int, str]] = []
    for line, example in enumerate(examples, start=1):
        if not isinstance(example, dict):
            issues.append((line, "not a JSON object"))
            continue
        if set(example) != {"instruction", "input", "output"}:
            issues.append((line, f"keys {sorted(example)}, expected instruction/input/output"))
        for key in ("instruction", "input", "output"):
            if not isinstance(example.get(key), str):
                issues.append((line, f"{key!r} is not a string"))
        for key in ("instruction", "output"):
            if isinstance(example.get(key), str) and not example[key].strip():
                issues.append((line, f"{key!r} is empty"))
    return issues
