"""The one mapping from model/HTTP exceptions to "this row failed" or "the run cannot go on".

Every model call in langsynth goes through :func:`row_failure` in its ``except`` clause:

- a problem with *this answer or request* (cut off at ``max_tokens``, a request the server
  rejects, a timeout, an unparsable answer, a 5xx for this request) returns a one-line
  reason, and the row is recorded as failed with it;
- a problem with *the endpoint* (connection refused or reset, bad key, unknown model, quota
  exhausted, our embedded server dead) raises :class:`~langsynth.errors.ModelUnavailableError`
  with a message that says what to do; the run engine stops, keeps what it has, and says how
  to resume;
- anything else (a ``TypeError`` in our code) is re-raised unchanged: a bug is not a row.

Both ``openai``'s own exceptions and the wrappers of current ``langchain-openai`` /
``langchain-core`` (``OpenAIConnectionError``, ``ModelConnectionError``, ...) are mapped; the
wrappers subclass the originals, and the checks go from the most specific class down
(``APITimeoutError`` is a subclass of ``APIConnectionError``).
"""

from __future__ import annotations

from typing import NoReturn

from langsynth.errors import LangsynthError, ModelUnavailableError

TRUNCATED = "the answer was cut off at max_tokens before it was complete"


def _where(exc: BaseException) -> str:
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url is None:
        return "the model server"
    text = str(url)
    for suffix in ("/chat/completions", "/completions"):
        text = text.removesuffix(suffix)
    return f"the model server at {text}"


def _detail(exc: BaseException) -> str:
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    return text[:200] or type(exc).__name__


def _unavailable(message: str, exc: BaseException) -> NoReturn:
    raise ModelUnavailableError(message) from exc


def row_failure(exc: BaseException) -> str:
    """The reason a row failed, for exceptions about one answer; raises for the others.

    Call it from ``except Exception as exc:`` around a model call.
    """
    if isinstance(exc, LangsynthError):
        raise exc  # already ours (e.g. ServerDiedError): not about this row
    import openai
    from langchain_core import exceptions as lc

    if isinstance(exc, openai.LengthFinishReasonError):
        return TRUNCATED
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return "the answer was stopped by the provider's content filter"
    if isinstance(exc, openai.APITimeoutError | lc.ModelTimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError | lc.ModelConnectionError):
        _unavailable(
            f"{_where(exc)} stopped answering ({_detail(exc)}); check that it is running.", exc
        )
    if isinstance(exc, openai.AuthenticationError | lc.ModelAuthenticationError):
        _unavailable(
            f"{_where(exc)} refused the API key ({_detail(exc)}); set the right key in the "
            "environment or .env.",
            exc,
        )
    if isinstance(exc, openai.PermissionDeniedError):
        _unavailable(f"{_where(exc)} denied access ({_detail(exc)}).", exc)
    if isinstance(exc, openai.NotFoundError | lc.ModelNotFoundError):
        _unavailable(
            f"{_where(exc)} does not know this model or path ({_detail(exc)}); check the "
            "model name and the base URL (it usually ends in /v1).",
            exc,
        )
    if isinstance(exc, openai.RateLimitError | lc.ModelRateLimitError):
        _unavailable(
            f"{_where(exc)} is rate-limiting or out of quota ({_detail(exc)}); lower "
            "--concurrency or wait, then resume.",
            exc,
        )
    status = getattr(exc, "status_code", None) if isinstance(exc, openai.APIStatusError) else None
    if status in (401, 403):
        _unavailable(f"{_where(exc)} refused the request ({status}: {_detail(exc)}).", exc)
    if status == 404:
        _unavailable(f"{_where(exc)} has no such model or path ({_detail(exc)}).", exc)
    if status == 429:
        _unavailable(f"{_where(exc)} is rate-limiting ({_detail(exc)}); resume later.", exc)
    if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return f"the server rejected the request: {_detail(exc)}"
    if isinstance(exc, openai.InternalServerError | openai.APIStatusError):
        return f"the server failed on this request: {_detail(exc)}"
    if isinstance(exc, lc.OutputParserException):
        return f"the answer could not be parsed: {_detail(exc)}"
    if isinstance(exc, lc.ModelError):
        return f"the model call failed: {_detail(exc)}"
    import httpx

    if isinstance(exc, httpx.TransportError):
        _unavailable(f"the model server stopped answering ({type(exc).__name__}: {exc}).", exc)
    raise exc
