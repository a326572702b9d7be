"""The Ray executor of the run engine: a step's model calls in Ray actors beside many endpoints.

The run engine (:mod:`langsynth.runs`) decides everything that must be decided in one
place — which attempt comes next and its hints (``input_at``), dedup and admission, the
journal, the counters, the budget, resume and signals — and sends each unit of work to an
*executor*. :class:`RayExecutor` sends it to a :class:`~langsynth.engines.ray.RayActorPool`:
one pool of actors per endpoint, each with its own copy of the step, built in the worker by
a picklable ``factory(llm) -> step`` on that endpoint's chat model. Results come back as
they finish and are journalled on the driver, so the guarantees of a local run hold::

    factory = step_factory("generate", schema="medical_billing", seed=7)
    with RayExecutor(factory, "http://gpu1:8000/v1,http://gpu2:8000/v1",
                     llm_kwargs={"temperature": 0.9, "seed": 7}) as executor:
        gen = executor.driver_step()          # the same step, built here (never calls a model)
        result = gen.generate(10_000, output="out/bills.jsonl", executor=executor)
    result.executor["endpoints"]              # per-endpoint counters, also in the manifest

A step built another way may be passed too; the engine hands it to :meth:`RayExecutor.bind`
first, which refuses it when it differs from what the actors build (another prompt, seed or
schema would break "the same hints and prompt as local").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langsynth._async import run_sync
from langsynth.engines.endpoints import Endpoint
from langsynth.engines.ray import RayActorPool, init_ray
from langsynth.engines.ray_worker import ComponentFactory, endpoint_chat_model
from langsynth.errors import ConfigurationError

# manifest_params keys that name the chat model: the driver's copy never calls it.
_MODEL_KEYS = ("model", "extract_model")


class RayExecutor:
    """Runs a step's ``aprocess`` calls in Ray actors, ``slots`` per endpoint at a time.

    Args:
        factory: ``factory(llm) -> step``, picklable (see
            :func:`langsynth.engines.factories.step_factory` for the built-in steps).
        endpoints: ``"URL1,URL2"``, URLs or :class:`~langsynth.engines.endpoints.Endpoint`
            objects (OpenAI-compatible: vLLM, llama.cpp, OpenAI, ...).
        slots_per_endpoint: requests in flight per endpoint (its parallel slots or batch).
        model: the model name to request (default: the first one an endpoint lists).
        llm_kwargs: settings of the chat model in every actor (``temperature``,
            ``max_tokens``, ``seed``, ``timeout``, ...), the same as for a local run.
        ray_address: the Ray cluster to join (default ``RAY_ADDRESS``, else a local Ray).
        pool_options: more :class:`~langsynth.engines.ray.RayActorPool` options
            (``call_timeout``, ``max_consecutive_faults``, ``probe``,
            ``actors_per_endpoint``, ``actor_options``).

    Ray starts (or is joined) when the executor is made, in the calling thread; the actors
    start with :meth:`start` (or the first call) and stop with :meth:`close`. One executor
    serves several runs, one after the other.
    """

    def __init__(
        self,
        factory: ComponentFactory,
        endpoints: str | Sequence[str | Endpoint],
        *,
        slots_per_endpoint: int = 4,
        model: str | None = None,
        llm_kwargs: Mapping[str, Any] | None = None,
        ray_address: str | None = None,
        **pool_options: Any,
    ) -> None:
        # In the caller's (main) thread: Ray installs its signal handler there, which the
        # run engine's own SIGTERM handling replaces for the length of a run.
        init_ray(ray_address)
        self.factory = factory
        self.llm_kwargs = dict(llm_kwargs or {})
        self.pool = RayActorPool(
            factory,
            endpoints,
            slots_per_endpoint=slots_per_endpoint,
            model=model,
            llm_kwargs=self.llm_kwargs,
            ray_address=ray_address,
            **pool_options,
        )
        self.model = model

    def __repr__(self) -> str:
        return f"RayExecutor({len(self.pool.endpoints)} endpoints, {self.slots} slots)"

    @property
    def slots(self) -> int:
        """Units of work in flight at most: the slots of the endpoints still in rotation."""
        return max(1, self.pool.capacity)

    @property
    def endpoints(self) -> list[Endpoint]:
        return list(self.pool.endpoints)

    @property
    def model_name(self) -> str | None:
        """The model the endpoints serve (given, or the first an endpoint listed)."""
        return self.model or next((m for m in self.pool.models.values() if m), None)

    # ------------------------------------------------------------------ the engine's side

    async def call(self, method: str, arg: Any) -> Any:
        """``step.<method>(arg)`` in an actor of a live endpoint (faults are retried elsewhere;
        :class:`~langsynth.errors.AllEndpointsDownError` when none is left)."""
        return await self.pool.call(method, arg)

    def bind(self, step: Any) -> None:
        """Refuse a run whose step differs from the one the actors build (called by the engine).

        The driver draws each attempt's input and checks the results; the actors write the
        prompt and call the model. Both must be the same step: same type, identity and
        settings (prompt, examples, pools, seed, sampling) — only the chat model differs.
        """
        if getattr(step, "avoid_recent", 0):
            raise ConfigurationError(
                "avoid_recent (--avoid-recent) shows the records accepted so far in the prompt, "
                "which needs the calls in this process; turn it off for the Ray engine."
            )
        mine = self.factory(self.driver_llm())
        if type(mine) is not type(step):
            raise ConfigurationError(
                f"The run's step is a {type(step).__name__}, but the Ray actors build a "
                f"{type(mine).__name__}; build the step with executor.driver_step()."
            )
        for what, theirs, ours in (
            ("job", step.job, mine.job),
            ("identity", step.identity(), mine.identity()),
            ("manifest", step.manifest_extra(), mine.manifest_extra()),
        ):
            if theirs != ours:
                raise _differs(what, theirs, ours)
        theirs, ours = _settings(step), _settings(mine)
        for key in sorted(set(theirs) | set(ours)):
            if theirs.get(key) != ours.get(key):
                raise _differs(key, theirs.get(key), ours.get(key))

    def summary(self) -> dict[str, Any]:
        """Per-endpoint counters (calls, completed, faults, requests, tokens) plus totals."""
        return {
            "engine": "ray",
            "model": self.model_name,
            "slots": sum(e.slots for e in self.pool.endpoints),
            **self.pool.summary(),
        }

    # ------------------------------------------------------------------ the driver's copy

    def driver_llm(self) -> Any:
        """A chat model like the actors' (first endpoint, same settings); the driver's copy
        of the step holds it for its manifest and never calls it."""
        endpoint = self.pool.endpoints[0]
        return endpoint_chat_model(endpoint, self.model_name, self.llm_kwargs)

    def driver_step(self) -> Any:
        """The step the actors build, built here: pass it to ``run``/``generate``."""
        return self.factory(self.driver_llm())

    # ------------------------------------------------------------------ lifecycle

    async def astart(self) -> RayExecutor:
        """Start the actors (each checks its endpoint answers and builds its step)."""
        await self.pool.start()
        return self

    def start(self) -> RayExecutor:
        """:meth:`astart` from synchronous code (on langsynth's event loop, as runs are)."""
        return run_sync(self.astart())

    async def aclose(self) -> None:
        """Stop the actors (Ray itself keeps running)."""
        await self.pool.aclose()

    def close(self) -> None:
        """:meth:`aclose` from synchronous code."""
        run_sync(self.aclose())

    def __enter__(self) -> RayExecutor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> RayExecutor:
        return await self.astart()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _settings(step: Any) -> dict[str, Any]:
    params = dict(step.manifest_params())
    for key in _MODEL_KEYS:
        params.pop(key, None)
    return params


def _differs(what: str, theirs: Any, ours: Any) -> ConfigurationError:
    def show(value: Any) -> str:
        text = repr(value)
        return text if len(text) <= 120 else text[:117] + "..."

    return ConfigurationError(
        f"The run's step and the step the Ray actors build differ in {what}: {show(theirs)} "
        f"here, {show(ours)} in the actors. Build the step from the executor's factory "
        "(executor.driver_step()) so both draw the same inputs and write the same prompts."
    )
