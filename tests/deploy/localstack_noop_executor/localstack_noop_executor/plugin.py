"""The plux plugin LocalStack finds in the ``localstack.lambda.runtime_executor`` namespace.

It imports the executor only when LocalStack loads it, as LocalStack's own docker plugin does, so
discovering plugins stays cheap.
"""

from __future__ import annotations

from typing import Any

from plux import Plugin

from . import EXECUTOR_NAME


class NoopRuntimeExecutorPlugin(Plugin):
    """Selected by ``LAMBDA_RUNTIME_EXECUTOR=noop``; loads :class:`NoopRuntimeExecutor`."""

    namespace = "localstack.lambda.runtime_executor"
    name = EXECUTOR_NAME

    def load(self, *args: Any, **kwargs: Any) -> type:
        from .executor import NoopRuntimeExecutor

        return NoopRuntimeExecutor
