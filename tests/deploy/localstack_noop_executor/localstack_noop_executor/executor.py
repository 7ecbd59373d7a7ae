"""NoopRuntimeExecutor: LocalStack's ``RuntimeExecutor`` interface, implemented to run nothing.

The interface (``localstack.services.lambda_.invocation.runtime_executor.RuntimeExecutor`` in
localstack-core 4.13.1, the same in 2026.3.0) has two class-level hooks around a function version and
per-environment lifecycle methods:

* ``prepare_version`` / ``cleanup_version``: called when a version is created / removed. The docker
  executor installs the runtime-init binary and pulls the runtime image here; this one has nothing
  to prepare, so the version becomes Active at once.
* ``start`` / ``invoke`` / ``stop`` / ``get_logs`` and the address getters: called when LocalStack
  starts an execution environment to invoke the function. This executor refuses to start one, so an
  invocation fails with a message saying why rather than returning a made-up result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localstack import config
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

if TYPE_CHECKING:
    from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult

__all__ = ["NoopRuntimeExecutor"]

_REFUSAL = (
    "the 'noop' Lambda runtime executor of the sensible_alarms tests does not run function code "
    "(LAMBDA_RUNTIME_EXECUTOR=noop); function {arn} was not invoked"
)


class NoopRuntimeExecutor(RuntimeExecutor):
    """Functions exist and are Active; their code never runs."""

    def start(self, env_vars: dict[str, str]) -> None:
        raise LambdaRuntimeException(_REFUSAL.format(arn=self.function_version.qualified_arn))

    def stop(self) -> None:
        """Nothing was started, so nothing to stop."""

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}/_localstack_lambda/{self.id}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        raise LambdaRuntimeException(_REFUSAL.format(arn=self.function_version.qualified_arn))

    def get_logs(self) -> str:
        return ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        """No runtime binary to install and no image to pull."""

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing was prepared."""

    @classmethod
    def validate_environment(cls) -> bool:
        """Needs no container engine, so any host will do."""
        return True
