"""Latency regressions that the burn-rate windows alone dilute, replayed with CloudWatch semantics
on the real synthesized construct: a regression of 10 to 16 % of requests for under an hour, and a
regression of one route that is 6 to 10 % of the API's requests for hours, page once
(`SlowShare30m`, held by `SlowShare30mHold`); a cold start's few slow requests on a quiet API do not."""

from __future__ import annotations

import aws_cdk as cdk
import numpy as np
import pytest

from construct_replay import (
    Traffic,
    api_store,
    binomial,
    http_api,
    minute,
    minutes_of,
    notifications,
    poisson,
    replayed,
    synthesized,
)
from sensible_alarms import AlarmRouting, ApiAlarms, AvailabilitySlo, LatencySlo
from sensible_alarms.replay.from_templates import AlarmSet

DAYS = 2
MINUTES = DAYS * 1440
#: Day 0 fills the windows; the replay covers day 1.
FIRST = 1440


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        ApiAlarms(stack, "ShopApiAlarms", api=http_api(stack), routing=routing,
                  availability=AvailabilitySlo(target=99.9),
                  latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0))

    return synthesized(tmp_path_factory.mktemp("latency"), add)


def _traffic(seed: int, per_minute: float, slow_share: float, lo: int, hi: int) -> Traffic:
    """Poisson requests, none failing; within [lo, hi) each is slower than 1 s with `slow_share`."""
    rng = np.random.default_rng(seed)
    requests = poisson(rng, per_minute, MINUTES)
    share = np.zeros(MINUTES)
    share[lo:hi] = slow_share
    return Traffic(requests, np.zeros(MINUTES), binomial(rng, requests, share))


class TestLatencyRegression:
    @pytest.mark.parametrize(("seed", "share", "length"), [(1, 0.12, 45), (2, 0.11, 60), (3, 0.16, 40)])
    def test_a_regression_under_the_hourly_threshold_pages_once(self, api: AlarmSet, seed: int, share: float,
                                                                 length: int):
        """11 to 16 % of 100 requests a minute take over 1 s for 40 to 60 minutes (the fleet's latency
        regressions): the 1 h window never reaches 14.4 % nor the 6 h one 6 %, so the burn-rate pairs
        stay quiet. Over 30 minutes the slow share passes the 6 h window's 6 %: one page, within
        20 minutes of the start."""
        lo = minute(30)
        result = replayed(api, api_store(api, _traffic(seed, 100.0, share, lo, lo + length)), FIRST, MINUTES)
        told = minutes_of(result, notifications(result))
        assert len(told) == 1, told
        assert lo <= told[0] <= lo + 20, told

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_cold_start_on_a_quiet_api_does_not_page(self, api: AlarmSet, seed: int):
        """2 requests a minute, and once 3 of them in one minute take over 1 s (a cold start, the
        fleet's largest): 3 of 60 requests in 30 minutes is 5 %, and under the 4 slow requests the
        30-minute share counts from. Nobody is told."""
        rng = np.random.default_rng(seed)
        requests = np.maximum(poisson(rng, 2.0, MINUTES), 0)
        slow = np.zeros(MINUTES)
        at = minute(30)
        requests[at] = max(requests[at], 3.0)
        slow[at] = 3.0
        result = replayed(api, api_store(api, Traffic(requests, np.zeros(MINUTES), slow)), FIRST, MINUTES)
        assert minutes_of(result, notifications(result)) == []


class TestRouteLatency:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_one_slow_route_of_a_busy_api_pages_once(self, api: AlarmSet, seed: int):
        """One route, a fifth of 100 requests a minute, has 40 % of its requests over 1 s for 3 h: 8 %
        of the API's, under the 1 h window's 14.4 % all along and the 6 h window's 6 % at every
        point (3 h of 8 % is 4 % of 6 h). One page, within 30 minutes."""
        lo = minute(30)
        result = replayed(api, api_store(api, _traffic(seed, 100.0, 0.08, lo, lo + 180)), FIRST, MINUTES)
        told = minutes_of(result, notifications(result))
        assert len(told) == 1, told
        assert lo <= told[0] <= lo + 30, told

    @pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
    def test_one_slow_route_of_a_quiet_api_pages_once(self, api: AlarmSet, seed: int):
        """3 requests a minute, 10 % of them over 1 s for 5 h (one quiet route of a quiet API): a slow
        request every 3 minutes or so, so the 30-minute share crosses 6 % on and off. The 2-hour hold
        keeps the incident open between them: one page, within 45 minutes."""
        lo = minute(30)
        result = replayed(api, api_store(api, _traffic(seed, 3.0, 0.10, lo, lo + 300)), FIRST, MINUTES)
        told = minutes_of(result, notifications(result))
        assert len(told) == 1, told
        assert lo <= told[0] <= lo + 45, told
