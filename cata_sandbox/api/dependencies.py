"""The service objects one app instance shares, built in the lifespan and reached by dependency injection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from cata_sandbox.adapters.library import AdapterLibrary
from cata_sandbox.api.auth import API_KEY_HEADER, Caller, KeyRing
from cata_sandbox.clock import Clock
from cata_sandbox.dispatch import Dispatcher
from cata_sandbox.settings import Settings
from cata_sandbox.store import Store
from cata_sandbox.transformers import TransformerRegistry


@dataclass(slots=True)
class Services:
    settings: Settings
    clock: Clock
    store: Store
    keys: KeyRing
    registry: TransformerRegistry
    dispatcher: Dispatcher
    adapters: AdapterLibrary


def provide_services(state: State) -> Services:
    services: Services = state.services
    return services


# Handler parameter types: the dependencies are named explicitly (Litestar 3 drops inferred ones).
CallerDep: TypeAlias = NamedDependency[Caller]
ServicesDep: TypeAlias = NamedDependency[Services]


async def provide_caller(request: Request[object, object, State], services: ServicesDep) -> Caller:
    # Taking ``services`` orders the two dependencies: Litestar resolves independent ones concurrently
    # in an anyio task group, which cost a dispatch more CPU than both providers (profiled).
    return await services.keys.authenticate(request.headers.get(API_KEY_HEADER))
