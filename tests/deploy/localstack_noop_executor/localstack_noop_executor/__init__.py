"""A LocalStack Lambda runtime executor that accepts functions and never runs them.

LocalStack's default executor ("docker") prepares every function version by downloading its
runtime-init binary and pulling a container image; on a machine without a container engine or
without access to those downloads, CloudFormation then fails with ``Error while creating lambda:
Installation of lambda-runtime ... failed``. The deployment tests of sensible_alarms need the
functions to *exist* (the alarms, event source mappings and API integrations refer to them), not to
run. With ``LAMBDA_RUNTIME_EXECUTOR=noop`` LocalStack creates, updates and deletes functions as
usual and reports them Active; any attempt to start an execution environment (an invocation) fails
with a clear error instead of silently pretending to succeed.
"""

__all__ = ["EXECUTOR_NAME"]

#: The value of LocalStack's ``LAMBDA_RUNTIME_EXECUTOR`` that selects this executor.
EXECUTOR_NAME = "noop"
