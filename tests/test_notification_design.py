"""The notification design, replayed with CloudWatch semantics on the real synthesized constructs:
one incident notifies once (no flicker re-notification, no page while a long window drains, a new
incident after a quiet spell notifies again), a quiet entrypoint's outage is told, and a freshly
deployed job is silent until there is something to say."""

from __future__ import annotations

import aws_cdk as cdk
import numpy as np
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs

from construct_replay import (
    DAYS,
    FIRST,
    GRACE,
    MINUTES,
    Traffic,
    api_store,
    api_traffic,
    function,
    minute,
    minutes_of,
    notifications,
    pages,
    replayed,
    store_for,
    synthesized,
    ticketed_api,
)
from sensible_alarms import (
    AlarmRouting,
    FreshnessSlo,
    QueueConsumerAlarms,
    ScheduledJobAlarms,
)
from sensible_alarms.replay.from_templates import AlarmSet


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    return ticketed_api(tmp_path_factory.mktemp("api"))



def _told(api: AlarmSet, traffic: Traffic, suffix: str | None = None) -> list[int]:
    """Notification minutes: every one, the pages (suffix "HighUrgency": the HIGH and outage
    notifiers), or those of the composites whose name ends with `suffix`."""
    result = replayed(api, api_store(api, traffic), FIRST, MINUTES)
    return minutes_of(result, pages(result) if suffix == "HighUrgency" else notifications(result, suffix))


class TestOneIncidentOneNotification:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_slow_burn_whose_short_window_flickers_pages_once(self, api: AlarmSet, seed: int):
        """0.9 % of 30 requests a minute failing for a day (6x burn on a 99.9 % SLO): the 30 min
        window crosses its threshold again and again while the 6 h window stays in ALARM; one page."""
        lo, hi = minute(30), minute(54)
        told = _told(api, api_traffic(seed, 30.0, 0.0005, [(lo, hi, 0.009)]))
        assert len(told) == 1, f"notified at minutes {told}"
        assert lo <= told[0] <= hi

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_one_background_error_after_an_outage_does_not_page_while_the_long_window_drains(
            self, api: AlarmSet, seed: int):
        """A 20 min outage of a quiet API (5 requests a minute), then 0.1 % background errors: the
        6 h window holds the outage for hours, and a single error fills a 30 min window's ratio."""
        lo, hi = minute(36), minute(36) + 20
        told = _told(api, api_traffic(seed, 5.0, 0.001, [(lo, hi, 1.0)]))
        assert told, "the outage was not told"
        assert lo <= told[0] <= lo + 5, f"notified at minutes {told}"
        assert [t for t in told if t > hi + GRACE] == []

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_new_outage_after_a_quiet_spell_pages_again(self, api: AlarmSet, seed: int):
        """Two 20 min outages 14 h apart: each pages, once."""
        first, second = (minute(30), minute(30) + 20), (minute(44), minute(44) + 20)
        told = _told(api, api_traffic(seed, 5.0, 0.0005, [(*first, 1.0), (*second, 1.0)]))
        assert [sum(lo <= t <= hi + GRACE for t in told) for lo, hi in (first, second)] == [1, 1], told
        assert len(told) == 2

    @pytest.mark.parametrize("seed", [1, 2])
    def test_a_slow_burn_below_the_page_thresholds_gives_one_ticket(self, api: AlarmSet, seed: int):
        """0.4 % failing for 2 days (4x, over the LOW window's 3x, under the HIGH 6x): one LOW
        notification, no page."""
        lo, hi = minute(30), minute(78)
        traffic = api_traffic(seed, 30.0, 0.0003, [(lo, hi, 0.004)])
        assert _told(api, traffic, "HighUrgency") == []
        assert len(_told(api, traffic, "LowUrgency")) == 1

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_background_errors_hovering_at_the_ticket_threshold_ticket_at_most_once(self, api: AlarmSet, seed: int):
        """0.3 % of 30 requests a minute failing for 4 days, no incident (3x, the LOW window's own
        threshold): the 1 day window crosses it again and again; at most one ticket, no page."""
        traffic = api_traffic(seed, 30.0, 0.003, [])
        assert _told(api, traffic, "HighUrgency") == []
        assert len(_told(api, traffic, "LowUrgency")) <= 1

    @pytest.mark.parametrize("seed", [1, 2])
    def test_a_page_is_not_followed_by_a_ticket_while_the_day_window_drains(self, api: AlarmSet, seed: int):
        """2 % failing for 3 hours pages; for the next day the 1 day window still holds those errors
        over the LOW threshold, and the decaying 6 h window passes through the LOW band: one
        notification in all, the page."""
        lo, hi = minute(30), minute(33)
        told = _told(api, api_traffic(seed, 30.0, 0.0003, [(lo, hi, 0.02)]))
        assert len(told) == 1, f"notified at minutes {told}"
        assert _told(api, api_traffic(seed, 30.0, 0.0003, [(lo, hi, 0.02)]), "LowUrgency") == []

    def test_a_busy_api_outage_still_pages_within_three_minutes(self, api: AlarmSet):
        """200 requests a minute, all failing for 15 min: one page, within 3 minutes."""
        lo = minute(36)
        told = _told(api, api_traffic(1, 200.0, 0.002, [(lo, lo + 15, 1.0)]))
        assert len(told) == 1, told
        assert told[0] - lo <= 3, told


class TestAnOutageDuringAnOpenIncident:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_an_outage_while_an_earlier_page_still_holds_pages_again(self, api: AlarmSet, seed: int):
        """2 % of 30 requests a minute fail for 2 h (a page); 2 h after it ends, while its 6 h hold
        still keeps the HIGH notifier in ALARM, every request fails for 20 min: that outage pages
        too (the fleet benchmark's two untold full outages came so), and each incident pages once."""
        first, second = (minute(30), minute(32)), (minute(34), minute(34) + 20)
        traffic = api_traffic(seed, 30.0, 0.0003, [(*first, 0.02), (*second, 1.0)])
        told = _told(api, traffic, "HighUrgency")
        assert [sum(lo <= t <= hi + GRACE for t in told) for lo, hi in (first, second)] == [1, 1], told
        assert len(told) == 2, told
        assert told[1] - second[0] <= 3, told

    @pytest.mark.parametrize("seed", [1, 2])
    def test_a_busy_outage_pages_once_and_its_drain_not_at_all(self, api: AlarmSet, seed: int):
        """200 requests a minute, all failing for 40 min: the burn rates and the outage members all
        hold; one page, from the outage notifier, and none while the windows drain for 6 h after."""
        lo = minute(36)
        result = replayed(api, api_store(api, api_traffic(seed, 200.0, 0.002, [(lo, lo + 40, 1.0)])), FIRST, MINUTES)
        told = pages(result)
        assert [n.alarm.rsplit("-", 1)[-1] for n in told] == ["OutageUrgency"], told
        assert minutes_of(result, told)[0] - lo <= 3

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_busy_outage_of_two_minutes_pages_once(self, api: AlarmSet, seed: int):
        """200 requests a minute, all failing for 2 min (under half of a 5 min window, so only the
        1 min outage member holds): one page, from the outage notifier, not a second one from the HIGH
        notifier when the 1 min member falls back while the burn rates still hold the burst."""
        lo = minute(36)
        result = replayed(api, api_store(api, api_traffic(seed, 200.0, 0.002, [(lo, lo + 2, 1.0)])), FIRST, MINUTES)
        told = pages(result)
        assert [n.alarm.rsplit("-", 1)[-1] for n in told] == ["OutageUrgency"], told
        assert minutes_of(result, told)[0] - lo <= 3


class TestQuietEntrypoints:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_an_outage_of_a_few_requests_at_night_pages(self, api: AlarmSet, seed: int):
        """One request every 2 minutes, all failing for 40 min (about 20 failed requests, under the
        1 h window's guard of 10 for most of it): the nearly-every-request-fails signal pages."""
        lo, hi = minute(36), minute(36) + 40
        traffic = api_traffic(seed, 0.5, 0.0, [(lo, hi, 1.0)])
        assert traffic.errors[lo:hi].sum() >= 3
        told = _told(api, traffic, "HighUrgency")
        assert len(told) == 1, told
        assert lo <= told[0] <= hi, told


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        dead = sqs.Queue(stack, "PaymentDeadLetters", enforce_ssl=True)
        work = sqs.Queue(stack, "PaymentQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180),
                         dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead))
        function(stack, "Charge").add_event_source(sources.SqsEventSource(work))
        QueueConsumerAlarms(stack, "PaymentQueueAlarms", queue=work, routing=routing,
                            freshness=FreshnessSlo(max_age=cdk.Duration.minutes(10)))

    return synthesized(tmp_path_factory.mktemp("queue"), add)


class TestConsumers:
    def test_a_poison_message_every_20_minutes_for_an_hour_notifies_once(self, queue: AlarmSet):
        """Four messages reach the dead-letter queue 20 minutes apart (and stay there): one incident."""
        arrivals = [minute(36) + 20 * k for k in range(4)]
        held = np.zeros(MINUTES)
        for at in arrivals:
            held[at:] += 1

        def series(namespace: str, metric: str, stat: str, dims: dict[str, str]) -> np.ndarray:
            dead = "DeadLetters" in next(iter(dims.values()))
            if metric == "ApproximateAgeOfOldestMessage":
                return np.full(MINUTES, 5.0)
            if metric == "ApproximateNumberOfMessagesVisible":
                return held if dead else np.zeros(MINUTES)
            return np.zeros(MINUTES)

        result = replayed(queue, store_for(queue, series), FIRST, MINUTES)
        told = minutes_of(result, notifications(result))
        assert len(told) == 1, told
        assert arrivals[0] <= told[0] <= arrivals[0] + 2, told


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        report = function(stack, "NightlyReport")
        rule = events.Rule(stack, "Nightly", schedule=events.Schedule.cron(minute="0", hour="2"))
        rule.add_target(targets.LambdaFunction(report))
        ScheduledJobAlarms(stack, "NightlyReportAlarms", rule=rule, function=report, routing=routing)

    return synthesized(tmp_path_factory.mktemp("job"), add)


class TestAFreshDeploy:
    @staticmethod
    def _job_store(job: AlarmSet, runs: list[tuple[int, bool]]):
        invocations, errors = np.full(MINUTES, np.nan), np.full(MINUTES, np.nan)
        for at, ok in runs:
            invocations[at], errors[at] = 1, 0 if ok else 1

        def series(namespace: str, metric: str, stat: str, dims: dict[str, str]) -> np.ndarray:
            return {"Invocations": invocations, "Errors": errors}[metric]

        return store_for(job, series)

    def test_a_job_deployed_at_noon_is_silent_through_its_first_runs(self, job: AlarmSet):
        """Deployed at 12:00 with no data before; runs at 02:00 the next nights and succeeds:
        no notification, in particular none before the first run is due."""
        deploy = 12 * 60
        runs = [(day * 1440 + 120, True) for day in range(1, DAYS)]
        result = replayed(job, self._job_store(job, runs), deploy, MINUTES)
        assert minutes_of(result, notifications(result)) == []

    def test_a_job_that_ran_and_then_stops_is_told(self, job: AlarmSet):
        """The same job runs once after its deploy and then never again: a LOW notification, after
        the day and grace its missed-run signal waits."""
        deploy = 12 * 60
        result = replayed(job, self._job_store(job, [(1440 + 120, True)]), deploy, MINUTES)
        told = minutes_of(result, notifications(result))
        assert len(told) == 1, told
        assert 2 * 1440 + 120 < told[0] < 3 * 1440 + 120, told

