"""The fine-tuning checks catch what OpenAI's API and the Alpaca format reject."""

from __future__ import annotations

from langsynth.export import validate_openai_chat


def test_openai_chat_validation_catches_what_the_api_rejects() -> None:
    ok = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    bad = [
        {"messages": [{"role": "user", "content": "hi"}]},
        {"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]},
        {"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "y"}]},
        {
            "messages": [
                {"role": "user", "content": "x", "weight": 1},
                {"role": "assistant", "content": "y"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "x", "mood": "happy"},
                {"role": "assistant", "content": "y"},
            ]
        },
        {"prompt": "x", "completion": "y"},
        "not an object",
    ]
    issues = validate_openai_chat([ok] * 10 + bad)
    by_line: dict[int, str] = {}
    for line, problem in issues:
        by_line[line] = by_line.get(line, "") + problem + "; "
    assert "no assistant message" in by_line[11]
    assert "unknown role 'narrator'" in by_line[12]
    assert "has no text content" in by_line[13]
    assert "only allowed on assistant" in by_line[14]
    assert "unknown key(s) ['mood']" in by_line[15]
    assert "unknown top-level key(s)" in by_line[16]
    assert by_line[17] == "not a JSON object; "
    assert validate_openai_chat([ok] * 10) == []
    assert "at least 10" in validate_openai_chat([ok] * 3)[0][1]
