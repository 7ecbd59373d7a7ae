"""DynamoDB and DynamoDB Streams served by moto inside LocalStack, for hosts without DynamoDB Local.

LocalStack's own DynamoDB providers ("default" and "v2") forward every request to DynamoDB Local, a
Java server that LocalStack downloads (with a Java runtime) the first time DynamoDB is used. Where
those downloads are not reachable, every DynamoDB call fails and CloudFormation gives up on the
table after minutes of retries. These providers answer the same APIs from moto's DynamoDB and
DynamoDB Streams backends instead, the way LocalStack itself serves SSM, SWF or EC2
(``MotoFallbackDispatcher``: each operation the provider does not implement, here all of them, is
dispatched to moto). Selected with ``PROVIDER_OVERRIDE_DYNAMODB=moto`` and
``PROVIDER_OVERRIDE_DYNAMODBSTREAMS=moto``.

The deployment tests create a table with a stream and a Lambda event source mapping on it; they
never read or write items, so moto's coverage of the data plane does not matter to them.
"""

from __future__ import annotations

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.api.dynamodbstreams import DynamodbstreamsApi
from localstack.services.plugins import Service, aws_provider

__all__ = ["dynamodb_moto", "dynamodbstreams_moto"]

#: The provider name that selects these in ``PROVIDER_OVERRIDE_<SERVICE>``.
PROVIDER_NAME = "moto"


class MotoDynamoDBProvider(DynamodbApi):
    """Implements no operation itself: moto answers every DynamoDB request."""


class MotoDynamoDBStreamsProvider(DynamodbstreamsApi):
    """Implements no operation itself: moto answers every DynamoDB Streams request."""


@aws_provider(api="dynamodb", name=PROVIDER_NAME)
def dynamodb_moto() -> Service:
    from localstack.services.moto import MotoFallbackDispatcher

    return Service.for_provider(MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher)


@aws_provider(api="dynamodbstreams", name=PROVIDER_NAME)
def dynamodbstreams_moto() -> Service:
    from localstack.services.moto import MotoFallbackDispatcher

    return Service.for_provider(MotoDynamoDBStreamsProvider(), dispatch_table_factory=MotoFallbackDispatcher)
