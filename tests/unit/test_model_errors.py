"""The one mapping from model/HTTP exceptions: a row's failure, or the endpoint's."""

from __future__ import annotations

import httpx
import openai
import pytest
from langchain_core.exceptions import OutputParserException
from langchain_openai.chat_models.base import OpenAIConnectionError, OpenAITimeoutError

from langsynth.errors import ModelUnavailableError, ServerDiedError
from langsynth.model_errors import TRUNCATED, row_failure

REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def status(code: int, cls: type[openai.APIStatusError] = openai.APIStatusError) -> Exception:
    response = httpx.Response(code, request=REQUEST, json={"error": {"message": "nope"}})
    return cls("nope", response=response, body=None)


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (openai.APITimeoutError(request=REQUEST), "the request timed out"),
        (OpenAITimeoutError(REQUEST), "the request timed out"),  # langchain-openai's wrapper
        (status(400, openai.BadRequestError), "the server rejected the request: nope"),
        (status(422, openai.UnprocessableEntityError), "the server rejected the request"),
        (status(500, openai.InternalServerError), "the server failed on this request"),
        (OutputParserException("bad json"), "the answer could not be parsed"),
    ],
)
def test_problems_of_one_answer_are_a_row_reason(exc: Exception, reason: str) -> None:
    assert row_failure(exc).startswith(reason)


def test_a_cut_off_answer_says_so() -> None:
    exc = openai.LengthFinishReasonError.__new__(openai.LengthFinishReasonError)
    assert row_failure(exc) == TRUNCATED


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (openai.APIConnectionError(request=REQUEST), "stopped answering"),
        (OpenAIConnectionError(message="Connection error.", request=REQUEST), "stopped answering"),
        (httpx.ConnectError("refused"), "stopped answering"),
        (status(401, openai.AuthenticationError), "refused the API key"),
        (status(401), "refused the request"),
        (status(404, openai.NotFoundError), "does not know this model"),
        (status(429, openai.RateLimitError), "rate-limiting"),
        (status(429), "rate-limiting"),
    ],
)
def test_problems_of_the_endpoint_stop_the_run_with_a_clear_message(
    exc: Exception, says: str
) -> None:
    with pytest.raises(ModelUnavailableError, match=says) as info:
        row_failure(exc)
    assert info.value.__cause__ is exc
    assert "\n" not in str(info.value)


def test_the_server_url_is_named_without_the_path() -> None:
    with pytest.raises(ModelUnavailableError, match=r"at http://127\.0\.0\.1:9/v1 stopped"):
        row_failure(openai.APIConnectionError(request=REQUEST))


def test_ours_and_bugs_pass_through_unchanged() -> None:
    died = ServerDiedError("gone")
    with pytest.raises(ServerDiedError):
        row_failure(died)
    with pytest.raises(TypeError, match="unsupported"):
        row_failure(TypeError("unsupported operand"))
