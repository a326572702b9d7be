"""Where a job's model calls run — this process or Ray actors — from command-line options.

The commands that run steps (``generate``, ``text``, ``extract``, ``roundtrip``) take the
same engine options; this module turns them into a step and an executor, so a command only
parses, calls and prints::

    choice = EngineChoice.parse("ray", "http://a:8000,http://b:8000", slots_per_endpoint=8)
    with engine_step(choice, step_factory("generate", schema=info), model=None,
                     llm_kwargs={"temperature": 0.9}) as (gen, executor):
        result = gen.generate(100, output="out.jsonl", executor=executor)

Nothing here imports Ray until the Ray engine is chosen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langsynth.engines.endpoints import Endpoint, parse_endpoints
from langsynth.errors import ConfigurationError

if TYPE_CHECKING:
    from langsynth.engines.dataset import DatasetRun
    from langsynth.engines.executor import RayExecutor
    from langsynth.engines.factories import StepFactory

ENGINES = ("local", "ray", "ray-data")
DEFAULT_SLOTS_PER_ENDPOINT = 4


@dataclass(frozen=True)
class EngineChoice:
    """The engine of a run: ``local`` (this process, ``--model``), ``ray`` (Ray actors beside
    ``endpoints``, ``slots_per_endpoint`` requests in flight on each, the run engine on this
    process) or ``ray-data`` (map jobs over large files: Ray Data reads, the same actors
    call, the workers write shards; see :mod:`langsynth.engines.dataset`)."""

    engine: str = "local"
    endpoints: tuple[Endpoint, ...] = ()
    ray_address: str | None = None
    slots_per_endpoint: int = DEFAULT_SLOTS_PER_ENDPOINT
    endpoint_model: str | None = None

    @property
    def is_ray(self) -> bool:
        return self.engine in ("ray", "ray-data")

    @property
    def sharded(self) -> bool:
        """Ray Data: the output is a folder of shards, not one journalled file."""
        return self.engine == "ray-data"

    @classmethod
    def parse(
        cls,
        engine: str = "local",
        endpoints: str | None = None,
        *,
        ray_address: str | None = None,
        slots_per_endpoint: int | None = None,
        endpoint_model: str | None = None,
        model: str | None = None,
        sharded_ok: bool = False,
    ) -> EngineChoice:
        """Check the options together (``--engine``, ``--endpoints``, ``--ray-address``,
        ``--slots-per-endpoint``, ``--endpoint-model``, ``--model``); clear errors otherwise.

        The endpoints get the API key of ``LANGSYNTH_API_KEY`` (environment or ``.env``).
        ``sharded_ok``: the job is a map over a file, which ``ray-data`` can run.
        """
        name = (engine or "local").strip().lower()
        if name not in ENGINES:
            raise ConfigurationError(
                f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}."
            )
        if name == "ray-data" and not sharded_ok:
            raise ConfigurationError(
                "--engine ray-data runs map jobs over files (text, extract); use --engine ray "
                "here (generation needs the run engine's one place for dedup)."
            )
        ray_only = {
            "--endpoints": endpoints,
            "--ray-address": ray_address,
            "--slots-per-endpoint": slots_per_endpoint,
            "--endpoint-model": endpoint_model,
        }
        if name == "local":
            given = [flag for flag, value in ray_only.items() if value is not None]
            if given:
                raise ConfigurationError(
                    f"{', '.join(given)} belong to the Ray engine; add --engine ray."
                )
            return cls()
        if not endpoints:
            raise ConfigurationError(
                "--engine ray needs --endpoints URL1,URL2,... (OpenAI-compatible servers such "
                "as vLLM or llama.cpp; `langsynth serve --replicas K` starts local ones)."
            )
        if model is not None:
            raise ConfigurationError(
                "With --engine ray the endpoints serve the model: drop --model (name the "
                "served model with --endpoint-model if the servers need it)."
            )
        slots = DEFAULT_SLOTS_PER_ENDPOINT if slots_per_endpoint is None else slots_per_endpoint
        if slots < 1:
            raise ConfigurationError("--slots-per-endpoint must be at least 1.")
        from langsynth.llm import Settings

        key = Settings.from_env().api_key
        parsed = parse_endpoints(endpoints, slots=slots, model=endpoint_model)
        return cls(
            engine=name,
            endpoints=tuple(replace(e, api_key=key) if key is not None else e for e in parsed),
            ray_address=ray_address,
            slots_per_endpoint=slots,
            endpoint_model=endpoint_model,
        )

    def run_sharded(
        self,
        factory: StepFactory,
        source: str | Path,
        output: str | Path,
        llm_kwargs: Mapping[str, Any],
        **options: Any,
    ) -> DatasetRun:
        """Run a map step over ``source`` into shards under ``output`` with Ray Data."""
        if not self.sharded:
            raise ConfigurationError("Sharded runs need --engine ray-data.")
        from langsynth.engines.dataset import run_dataset

        return run_dataset(
            factory,
            source,
            output,
            list(self.endpoints),
            slots_per_endpoint=self.slots_per_endpoint,
            model=self.endpoint_model,
            llm_kwargs=llm_kwargs,
            ray_address=self.ray_address,
            **options,
        )

    def executor(
        self, factory: StepFactory, llm_kwargs: Mapping[str, Any], **pool_options: Any
    ) -> RayExecutor:
        """The Ray executor of this choice (Ray is started or joined here)."""
        if not self.is_ray:
            raise ConfigurationError("The local engine has no executor to make.")
        from langsynth.engines.executor import RayExecutor

        return RayExecutor(
            factory,
            list(self.endpoints),
            slots_per_endpoint=self.slots_per_endpoint,
            model=self.endpoint_model,
            llm_kwargs=llm_kwargs,
            ray_address=self.ray_address,
            **pool_options,
        )


@contextmanager
def engine_step(
    choice: EngineChoice,
    factory: StepFactory,
    *,
    model: str | None,
    llm_kwargs: Mapping[str, Any],
    **pool_options: Any,
) -> Iterator[tuple[Any, RayExecutor | None]]:
    """``(step, executor)`` for a run: pass both to ``step.run``/``step.generate``.

    Local: the step on ``get_chat_model(model, **llm_kwargs)`` and no executor (the engine
    calls the step in this process). Ray: the executor's actors started (an endpoint that
    does not answer is out before the run), and the driver's copy of the step; the actors
    stop when the block ends.
    """
    if choice.sharded:
        raise ConfigurationError("A ray-data run writes shards: call choice.run_sharded().")
    if not choice.is_ray:
        from langsynth.llm import get_chat_model

        yield factory(get_chat_model(model, **dict(llm_kwargs))), None
        return
    executor = choice.executor(factory, llm_kwargs, **pool_options)
    try:
        executor.start()
        yield executor.driver_step(), executor
    finally:
        executor.close()
