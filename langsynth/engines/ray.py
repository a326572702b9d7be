"""Ray actor pools: the same components, run in Ray actors beside many model endpoints.

One asyncio process talking to one server stops scaling at that server. Here every endpoint
(vLLM, llama.cpp, OpenAI, ...) gets its own Ray actor(s); each actor builds the component
*in the worker* from a picklable ``factory(llm) -> component``, with ``llm`` a ``ChatOpenAI``
on that endpoint, and serves as many calls at once as the endpoint has slots. The driver
keeps what must be decided in one place (dedup, journal, the run's counters) and only does::

    pool = RayActorPool(make_generator, ["http://10.0.0.5:8000/v1", "http://10.0.0.6:8000/v1"])
    outcome = await pool.call("ainvoke", {"hints": {...}})   # the component's result object

Endpoint faults (refused, 5xx, 429, wrong key, no answer within ``call_timeout``, a dead
actor) are retried on another endpoint; after ``max_consecutive_faults`` in a row an
endpoint is taken out of rotation with a warning, and when none is left every call raises
one :class:`~langsynth.errors.AllEndpointsDownError`. Other exceptions of the component (a
bug, a configuration error) reach the caller as themselves. Per-endpoint counters (calls,
faults, model requests, tokens) are in :attr:`RayActorPool.counters`.

Ray is imported lazily (``pip install 'langsynth[ray]'``); :func:`init_ray` starts a local
instance or joins a cluster with usage statistics off and no dashboard.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from langsynth.engines.endpoints import Endpoint, EndpointCounters, describe_fault, parse_endpoints
from langsynth.engines.ray_worker import ComponentActor, ComponentFactory, Reply
from langsynth.errors import AllEndpointsDownError, ConfigurationError, EndpointError, RemoteError
from langsynth.schemas.registry import USER_SCHEMA_MODULE_PREFIX

log = logging.getLogger(__name__)

# Set before Ray starts: no usage statistics sent anywhere, no `uv run` environment
# re-creation in workers, and no dashboard front end (the head still runs its agents).
RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
    "RAY_DISABLE_DOCKER_CPU_WARNING": "1",
}


def import_ray() -> ModuleType:
    """``import ray`` with langsynth's quiet environment, or a clear error without the extra."""
    for name, value in RAY_ENV.items():
        os.environ.setdefault(name, value)
    try:
        import ray
    except ImportError:
        raise ConfigurationError(
            "The Ray engine needs Ray: pip install 'langsynth[ray]'."
        ) from None
    return ray


def init_ray(address: str | None = None, **options: Any) -> None:
    """Join the Ray cluster at ``address`` (or ``RAY_ADDRESS``), else start a local instance.

    ``"local"`` always starts a new local instance. One started here gets no dashboard and
    logs Ray's warnings only; ``options`` go to ``ray.init`` (e.g. ``num_cpus=2``). Does
    nothing if Ray is already initialised (the caller's ``ray.init`` wins).
    """
    ray = import_ray()
    if ray.is_initialized():
        return
    defaults: dict[str, Any] = {"logging_level": logging.WARNING, "include_dashboard": False}
    ray.init(address=address, **(defaults | options))


def ship_user_schemas(ray: ModuleType) -> None:
    """Pickle the modules of schemas loaded from files by value.

    A schema loaded from ``file.py:Class`` lives in a module only this process has imported
    (:mod:`langsynth.schemas.registry` gives it a stable name); by reference a worker could
    not unpickle the factory, nor this process a record sent back. By value, the class
    travels with the factory, and a record coming back is rebuilt as this process's class.
    """
    for name, module in list(sys.modules.items()):
        if name.startswith(USER_SCHEMA_MODULE_PREFIX) and module is not None:
            ray.cloudpickle.register_pickle_by_value(module)


def _in_creation(exc: BaseException) -> bool:
    """True if a Ray actor died in its constructor (e.g. its arguments did not unpickle)."""
    return "creation task" in str(exc)


def _not_started(exc: BaseException) -> RemoteError:
    text = str(exc)
    detail = next(
        (
            line.strip()
            for line in reversed(text.splitlines())
            if "Error:" in line and "creation task" not in line
        ),
        text.splitlines()[0] if text else type(exc).__name__,
    )
    return RemoteError(
        f"The Ray workers could not build the step ({detail[:300]}). Every Ray node needs "
        "langsynth (the same version) and the modules the step uses installed; schemas "
        "loaded from files travel with the step.",
        type_name=type(exc).__name__,
        remote_traceback=text,
    )


# ---------------------------------------------------------------------- on the driver


@dataclass
class _Member:
    endpoint: Endpoint
    counters: EndpointCounters
    actors: list[Any] = field(default_factory=list)
    in_flight: int = 0
    streak: int = 0
    turn: int = 0

    @property
    def alive(self) -> bool:
        return self.counters.alive

    def next_actor(self) -> Any:
        self.turn += 1
        return self.actors[self.turn % len(self.actors)]


class RayActorPool:
    """Ray actors beside each endpoint, called from the driver with :meth:`call`.

    Args:
        factory: ``factory(llm) -> component``, picklable (a module-level function or a
            ``functools.partial`` of one); runs in the worker.
        endpoints: ``"URL1,URL2"``, URLs or :class:`Endpoint` objects.
        slots_per_endpoint: concurrent calls per endpoint (an :class:`Endpoint`'s own
            ``slots`` wins); match the server's parallel slots / batch size.
        llm_kwargs: passed to ``get_chat_model`` in the worker (temperature, seed, ...).
        actors_per_endpoint: split an endpoint's slots over several actors (processes),
            when validation or parsing per call costs more CPU than one worker has.
        call_timeout: seconds a call may take before it counts as the endpoint's fault.
        max_consecutive_faults: faults in a row that take an endpoint out of rotation.
        probe: check ``/v1/models`` when an actor starts (an endpoint that does not
            answer is out before the run starts).
        ray_address: the cluster to join (default: ``RAY_ADDRESS`` or a local instance).
        actor_options: extra ``ray.remote`` options of the actors (resources, scheduling).
    """

    def __init__(
        self,
        factory: ComponentFactory,
        endpoints: str | Sequence[str | Endpoint],
        *,
        slots_per_endpoint: int = 4,
        model: str | None = None,
        llm_kwargs: dict[str, Any] | None = None,
        actors_per_endpoint: int = 1,
        call_timeout: float = 600.0,
        max_consecutive_faults: int = 3,
        probe: bool = True,
        ray_address: str | None = None,
        actor_options: dict[str, Any] | None = None,
    ) -> None:
        ray = import_ray()
        ship_user_schemas(ray)
        try:
            ray.cloudpickle.dumps(factory)
        except Exception as exc:
            raise ConfigurationError(
                f"The component factory {factory!r} cannot be pickled ({exc}); Ray sends it "
                "to the workers. Define it at module level (or a functools.partial of one) "
                "and keep live clients and open files out of it."
            ) from None
        self.factory = factory
        self.endpoints = parse_endpoints(endpoints, slots=slots_per_endpoint, model=model)
        self.llm_kwargs = dict(llm_kwargs or {})
        self.actors_per_endpoint = max(1, actors_per_endpoint)
        self.call_timeout = call_timeout
        self.max_consecutive_faults = max(1, max_consecutive_faults)
        self.probe = probe
        self.ray_address = ray_address
        self.actor_options = dict(actor_options or {})
        self.members = [_Member(e, EndpointCounters(e.url)) for e in self.endpoints]
        self.models: dict[str, str | None] = {}
        self._cond: asyncio.Condition | None = None
        self._started = False
        self._start_lock: asyncio.Lock | None = None
        self._turn = 0
        self._wakers: set[asyncio.Future[None]] = set()

    @property
    def counters(self) -> list[EndpointCounters]:
        """Per-endpoint counters, in the order the endpoints were given."""
        return [m.counters for m in self.members]

    @property
    def capacity(self) -> int:
        """Concurrent calls the endpoints still in rotation can take."""
        return sum(m.endpoint.slots for m in self.members if m.alive)

    def summary(self) -> dict[str, Any]:
        """Counters of every endpoint plus totals, JSON-ready (for the run summary)."""
        rows = [c.to_dict() for c in self.counters]
        totals = {
            key: sum(r[key] for r in rows)
            for key in ("calls", "completed", "faults", "requests", "input_tokens", "output_tokens")
        }
        return {"endpoints": rows, "alive": sum(r["alive"] for r in rows), "totals": totals}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> RayActorPool:
        """Start the actors and build the components (also done by the first :meth:`call`)."""
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
            self._cond = asyncio.Condition()
        async with self._start_lock:
            if not self._started:
                await self._start()
                self._started = True
        return self

    async def _start(self) -> None:
        ray = import_ray()
        init_ray(self.ray_address)
        options = {"num_cpus": 0, "scheduling_strategy": "SPREAD", **self.actor_options}
        remote = ray.remote(ComponentActor)
        pending: list[tuple[_Member, Any, Any]] = []
        for member in self.members:
            share = math.ceil(member.endpoint.slots / self.actors_per_endpoint)
            for _ in range(min(self.actors_per_endpoint, member.endpoint.slots)):
                actor = remote.options(max_concurrency=share, **options).remote(
                    self.factory, member.endpoint, self.llm_kwargs
                )
                member.actors.append(actor)
                pending.append((member, actor, actor.setup.remote(self.probe)))
        replies = await asyncio.gather(*(ref for _, _, ref in pending), return_exceptions=True)
        for (member, actor, _), reply in zip(pending, replies, strict=True):
            if isinstance(reply, ray.exceptions.RayActorError) and _in_creation(reply):
                # The worker could not even build the actor (nothing has contacted the
                # endpoint yet): the workers' environment is wrong, on every endpoint alike.
                await self.aclose()
                raise _not_started(reply)
            if isinstance(reply, BaseException):
                reply = ("fault", f"its Ray actor did not start ({describe_fault(reply)})", {})
            kind, payload, _usage = reply
            if kind == "error":
                await self.aclose()
                assert isinstance(payload, BaseException)
                raise payload
            if kind == "fault":
                member.actors.remove(actor)
                ray.kill(actor)
                if not member.actors and member.alive:
                    self._take_out(member, payload, at_start=True)
            else:
                self.models[member.endpoint.url] = payload
        if not any(m.alive for m in self.members):
            raise self._all_down()

    async def aclose(self) -> None:
        """Stop every actor of the pool."""
        if not any(m.actors for m in self.members):
            return
        ray = import_ray()
        for member in self.members:
            for actor in member.actors:
                ray.kill(actor)
            member.actors.clear()
        self._started = False

    async def __aenter__(self) -> RayActorPool:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ calls

    async def call(self, method: str, arg: Any) -> Any:
        """``component.<method>(arg)`` on some endpoint's actor; returns its result.

        Faults of an endpoint are retried on the others; raises
        :class:`~langsynth.errors.AllEndpointsDownError` when none is left.
        """
        await self.start()
        tried: set[str] = set()
        suspect: list[Any] = []  # failed results of endpoints that answered only 5xx
        limit = len(self.members) * self.max_consecutive_faults
        for _ in range(limit):
            member = await self._acquire(tried)
            try:
                kind, payload, usage = await self._send(member, method, arg)
            finally:
                await self._release(member)
            member.counters.add_usage(usage)
            if kind == "ok":
                member.streak = 0
                member.counters.completed += 1
                return payload
            if kind == "error":
                raise payload
            if kind == "suspect":
                payload, result = payload
                suspect.append(result)
            self._fault(member, payload)
            tried.add(member.endpoint.url)
            if suspect and (len(suspect) >= 2 or not self._others_alive(tried)):
                # A second endpoint (or the last one) failed this unit the same way: the
                # unit's own fault after all (as it would be in one process), not theirs.
                return suspect[-1]
        raise EndpointError(
            f"One unit of work met an endpoint fault {limit} times in a row (last: {payload}). "
            "The endpoints are overloaded or failing; check them and rerun with --resume."
        )

    def _others_alive(self, tried: set[str]) -> bool:
        return any(m.alive and m.actors and m.endpoint.url not in tried for m in self.members)

    async def _acquire(self, tried: set[str]) -> _Member:
        assert self._cond is not None
        async with self._cond:
            while True:
                alive = [m for m in self.members if m.alive and m.actors]
                if not alive:
                    raise self._all_down()
                # Retry elsewhere first; wait for a busy other endpoint rather than going
                # back to one that just failed, unless no other is left.
                fresh = [m for m in alive if m.endpoint.url not in tried] or alive
                free = [m for m in fresh if m.in_flight < m.endpoint.slots]
                if free:
                    self._turn += 1
                    best = min(
                        range(len(free)),
                        key=lambda i: (
                            free[i].in_flight / free[i].endpoint.slots,
                            (i - self._turn) % len(free),
                        ),
                    )
                    member = free[best]
                    member.in_flight += 1
                    member.counters.calls += 1
                    return member
                await self._cond.wait()

    async def _release(self, member: _Member) -> None:
        assert self._cond is not None
        async with self._cond:
            member.in_flight -= 1
            self._cond.notify_all()

    async def _send(self, member: _Member, method: str, arg: Any) -> Reply:
        ray = import_ray()
        actor = member.next_actor()
        ref = actor.call.remote(method, arg)
        try:
            reply: Reply = await asyncio.wait_for(ref, self.call_timeout)
            return reply
        except TimeoutError:
            ray.cancel(ref)
            return ("fault", f"no answer within {self.call_timeout:g}s", {})
        except asyncio.CancelledError:
            ray.cancel(ref)
            raise
        except ray.exceptions.RayActorError as exc:
            # The worker process is gone (killed, out of memory): its endpoint's work moves.
            if actor in member.actors:
                member.actors.remove(actor)
            reason = f"its Ray actor died ({type(exc).__name__})"
            if not member.actors:
                self._take_out(member, reason)
            return ("fault", reason, {})

    def _fault(self, member: _Member, reason: str) -> None:
        member.counters.faults += 1
        member.counters.last_fault = reason
        member.streak += 1
        if member.alive and member.streak >= self.max_consecutive_faults:
            self._take_out(member, f"{member.streak} faults in a row, last: {reason}")

    def _take_out(self, member: _Member, reason: str, *, at_start: bool = False) -> None:
        member.counters.alive = False
        member.counters.last_fault = member.counters.last_fault or reason
        left = sum(m.alive for m in self.members)
        log.warning(
            "Endpoint %s is out of rotation (%s)%s; %d of %d endpoints left.",
            member.endpoint.url,
            reason,
            " before the run" if at_start else ", its work is retried on the others",
            left,
            len(self.members),
        )
        if self._cond is not None:
            cond = self._cond

            async def wake() -> None:
                async with cond:
                    cond.notify_all()

            task = asyncio.ensure_future(wake())
            self._wakers.add(task)  # keep a reference until it ran
            task.add_done_callback(self._wakers.discard)

    def _all_down(self) -> AllEndpointsDownError:
        failures = {
            m.endpoint.url: m.counters.last_fault or "out of rotation" for m in self.members
        }
        shown = "; ".join(f"{url}: {why}" for url, why in list(failures.items())[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        return AllEndpointsDownError(
            f"All {len(failures)} endpoints are out of rotation: {shown}{more}. Results "
            "finished so far are kept; check the servers and rerun with --resume.",
            failures,
        )
