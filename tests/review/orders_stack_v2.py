"""Version 2 of the orders example, for the diff: the API gets a DELETE /orders/{orderId} route, and
the order queue loses its dead-letter queue, so its queue consumer alarms (which refuse a queue
without one) go too: exactly the coverage drop the diff must report."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from orders_stack import OrdersStack

from sensible_alarms import AlarmRouting


class OrdersStackV2(OrdersStack):
    ROUTES = (*OrdersStack.ROUTES, ("DELETE", "order", "CancelOrder"))

    def _order_queue(self, routing: AlarmRouting) -> None:
        """The order queue, now without a dead-letter queue (and so without its alarms)."""
        queue = sqs.Queue(self, "OrderQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180))
        self._function("FulfilOrder").add_event_source(sources.SqsEventSource(queue, batch_size=10))
