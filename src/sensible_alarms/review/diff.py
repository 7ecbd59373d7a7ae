"""What a change does to the alarms: two reviews compared, in words, for a pull-request comment.

Alarms are matched by stack and alarm name (names are deterministic), notification routes by topic,
entrypoints by their primary resource (or construct path) and then, for those left over, by what
they are: kind and source, across stacks. A *coverage drop* is an entrypoint that had a notifying
alarm and, in the new version, still exists (perhaps under new logical ids or in a renamed stack)
but has none, or a construct entrypoint, whose resources the review could not see, that disappeared.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from ..wording import money, plural
from .document import AlarmReview, EntrypointReview, Review, StackReview

__all__ = ["ReviewDiff", "diff_json", "diff_markdown", "diff_reviews"]


@dataclass(frozen=True)
class ReviewDiff:
    coverage_drops: tuple[str, ...]
    entrypoints: tuple[str, ...]
    alarms_added: tuple[str, ...]
    alarms_removed: tuple[str, ...]
    alarms_changed: tuple[str, ...]
    routes: tuple[str, ...]
    old_cost: float
    new_cost: float
    stack_costs: tuple[tuple[str, float, float], ...]

    @property
    def cost_delta(self) -> float:
        return round(self.new_cost - self.old_cost, 4)

    @property
    def empty(self) -> bool:
        return not (self.coverage_drops or self.entrypoints or self.alarms_added or self.alarms_removed
                    or self.alarms_changed or self.routes)


def _alarms(stack: StackReview) -> dict[str, tuple[AlarmReview, str]]:
    out: dict[str, tuple[AlarmReview, str]] = {}
    for entry in stack.entrypoints:
        for alarm in entry.alarms:
            out.setdefault(alarm.name, (alarm, entry.title))
    for alarm in stack.other_alarms:
        out.setdefault(alarm.name, (alarm, "no entrypoint"))
    return out


def _alarm_words(stack: str, alarm: AlarmReview, where: str, sign: str) -> str:
    role = f"{alarm.urgency + ' ' if alarm.urgency else ''}{alarm.role} {alarm.kind}"
    what = "; ".join(alarm.conditions)
    routes = "; ".join(r.target for r in alarm.routes)
    to = f", notifies {routes}" if routes else ""
    return f"{stack}: {alarm.name} ({role}, {where}, {sign}{money(alarm.monthly_cost)}/month){to}: {what}"


def _find(entries: tuple[EntrypointReview, ...], old: EntrypointReview) -> EntrypointReview | None:
    return next((e for e in entries if e.key == old.key), None) or next((e for e in entries if e.id == old.id), None)


Placed = tuple[str, EntrypointReview]
"""An entrypoint and the name of its stack."""


def _compare(name: str, entry: EntrypointReview, other: EntrypointReview, out: dict[str, list[str]],
             was: str = "") -> None:
    """An entrypoint of the old version and what it is in the new one."""
    if entry.covered and not other.covered:
        out["coverage_drops"].append(f"{name}: {other.title}{was} lost its notifying alarms ({other.coverage})")
    elif not entry.covered and other.covered:
        out["entrypoints"].append(f"{name}: {other.title}{was} is now covered ({other.coverage})")
    for feature in sorted(set(other.features) - set(entry.features)):
        out["entrypoints"].append(f"{name}: {other.title}: {feature} added")
    for feature in sorted(set(entry.features) - set(other.features)):
        out["entrypoints"].append(f"{name}: {other.title}: {feature} removed")


def _same(new: EntrypointReview, old: EntrypointReview, exact: bool) -> bool:
    """The same entrypoint by what it is: kind, kind of source and name; or kind and kind of source."""
    return new.identity == old.identity if exact else new.identity[:2] == old.identity[:2]


def _entrypoint_diff(old: Review, new: Review, out: dict[str, list[str]]) -> None:
    """Entrypoints matched by stack and primary resource (or construct path); those left over are
    matched by what they are (:attr:`EntrypointReview.identity`: kind and source, then kind and
    kind of source), across stacks, so renaming logical ids or the stack cannot hide a lost alarm."""
    new_stacks = {s.name: s for s in new.stacks}
    left_old: list[Placed] = []
    matched: set[int] = set()
    for stack in old.stacks:
        new_entries = new_stacks[stack.name].entrypoints if stack.name in new_stacks else ()
        for entry in stack.entrypoints:
            other = _find(new_entries, entry)
            if other is None:
                left_old.append((stack.name, entry))
                continue
            matched.add(id(other))
            _compare(stack.name, entry, other, out)
    left_new: list[Placed] = [(s.name, e) for s in new.stacks for e in s.entrypoints if id(e) not in matched]
    for exact in (True, False):
        for placed in list(left_old):
            name, entry = placed
            found = next((p for p in left_new if _same(p[1], entry, exact)), None)
            if found is None or not entry.identity[0]:
                continue
            left_old.remove(placed)
            left_new.remove(found)
            new_name, other = found
            was = f" (was {entry.title} in stack {name})" if (name, entry.title) != (new_name, other.title) else ""
            _compare(new_name, entry, other, out, was)
    for name, entry in left_old:
        if entry.covered and not entry.resources:
            out["coverage_drops"].append(f"{name}: {entry.title} (`{entry.id}`) and its notifying alarms "
                                         "were removed")
        out["entrypoints"].append(f"{name}: entrypoint removed: {entry.title}")
    for name, entry in left_new:
        state = "covered" if entry.covered else "NOT COVERED"
        out["entrypoints"].append(f"{name}: entrypoint added: {entry.title} ({state})")


def _stack_diff(name: str, old: StackReview | None, new: StackReview | None, out: dict[str, list[str]]) -> None:
    old_alarms = _alarms(old) if old else {}
    new_alarms = _alarms(new) if new else {}
    for alarm_name in sorted(set(new_alarms) - set(old_alarms)):
        alarm, where = new_alarms[alarm_name]
        out["alarms_added"].append(_alarm_words(name, alarm, where, "+"))
    for alarm_name in sorted(set(old_alarms) - set(new_alarms)):
        alarm, where = old_alarms[alarm_name]
        out["alarms_removed"].append(_alarm_words(name, alarm, where, "-"))
    for alarm_name in sorted(set(old_alarms) & set(new_alarms)):
        before, after = old_alarms[alarm_name][0], new_alarms[alarm_name][0]
        was, now = dict(before.settings), dict(after.settings)
        changes = [f"{key}: {was.get(key, '-')} -> {now.get(key, '-')}"
                   for key in sorted(set(was) | set(now)) if was.get(key) != now.get(key)]
        if before.monthly_cost != after.monthly_cost:
            changes.append(f"cost: {money(before.monthly_cost)} -> {money(after.monthly_cost)}")
        if changes:
            out["alarms_changed"].append(f"{name}: {alarm_name}: " + "; ".join(changes))
    old_routes = {r.target: r for r in (old.topics if old else ())}
    new_routes = {r.target: r for r in (new.topics if new else ())}
    for target in sorted(set(new_routes) - set(old_routes)):
        out["routes"].append(f"{name}: route added: {new_routes[target].words}")
    for target in sorted(set(old_routes) - set(new_routes)):
        out["routes"].append(f"{name}: route removed: {old_routes[target].words}")
    for target in sorted(set(old_routes) & set(new_routes)):
        was_r, now_r = set(old_routes[target].recipients), set(new_routes[target].recipients)
        for recipient in sorted(now_r - was_r, key=lambda r: r.words):
            out["routes"].append(f"{name}: {target}: now also reaches {recipient.words}")
        for recipient in sorted(was_r - now_r, key=lambda r: r.words):
            out["routes"].append(f"{name}: {target}: no longer reaches {recipient.words}")


def diff_reviews(old: Review, new: Review) -> ReviewDiff:
    """Everything that changed between two reviews, sorted."""
    out: dict[str, list[str]] = {k: [] for k in ("coverage_drops", "entrypoints", "alarms_added", "alarms_removed",
                                                 "alarms_changed", "routes")}
    old_stacks = {s.name: s for s in old.stacks}
    new_stacks = {s.name: s for s in new.stacks}
    costs = []
    _entrypoint_diff(old, new, out)
    for name in sorted(set(old_stacks) | set(new_stacks)):
        before, after = old_stacks.get(name), new_stacks.get(name)
        _stack_diff(name, before, after, out)
        costs.append((name, before.monthly_cost if before else 0.0, after.monthly_cost if after else 0.0))
    return ReviewDiff(
        coverage_drops=tuple(out["coverage_drops"]), entrypoints=tuple(out["entrypoints"]),
        alarms_added=tuple(out["alarms_added"]), alarms_removed=tuple(out["alarms_removed"]),
        alarms_changed=tuple(out["alarms_changed"]), routes=tuple(out["routes"]),
        old_cost=old.monthly_cost, new_cost=new.monthly_cost, stack_costs=tuple(costs),
    )


def _signed(value: float) -> str:
    return ("+" if value > 0 else "-" if value < 0 else "±") + money(abs(value))


def diff_markdown(diff: ReviewDiff) -> str:
    """The diff as markdown fit for a pull-request comment."""
    lines = ["## Alarm changes", ""]
    lines.append(f"Monthly cost: {money(diff.old_cost)} -> {money(diff.new_cost)} ({_signed(diff.cost_delta)}).")
    lines.append("")
    if diff.coverage_drops:
        lines += ["**Coverage lost:**", *[f"- {line}" for line in diff.coverage_drops], ""]
    sections = (("Entrypoints", diff.entrypoints), ("Alarms added", diff.alarms_added),
                ("Alarms removed", diff.alarms_removed), ("Alarms changed", diff.alarms_changed),
                ("Notification routes", diff.routes))
    for title, items in sections:
        if items:
            lines += [f"### {title} ({len(items)})", "", *[f"- {item}" for item in items], ""]
    if diff.empty:
        lines += ["No alarm, entrypoint or notification route changed.", ""]
    if len(diff.stack_costs) > 1:
        lines += ["| Stack | Before | After | Change |", "|---|---|---|---|"]
        lines += [f"| {n} | {money(a)} | {money(b)} | {_signed(round(b - a, 4))} |" for n, a, b in diff.stack_costs]
        lines.append("")
    summary = (f"{plural(len(diff.alarms_added), 'alarm')} added, {len(diff.alarms_removed)} removed, "
               f"{len(diff.alarms_changed)} changed; {plural(len(diff.coverage_drops), 'coverage drop')}.")
    lines.append(summary)
    return "\n".join(lines) + "\n"


def diff_json(diff: ReviewDiff) -> str:
    data = asdict(diff)
    data["cost_delta"] = diff.cost_delta
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
