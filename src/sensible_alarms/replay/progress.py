"""A terminal progress bar for long replays and CloudWatch fetches (rich, from the ``cli`` extra).

``replay(..., progress=...)`` and ``fetch_metrics(..., progress=...)`` call ``progress(done,
total)``; a :class:`ProgressBar` is such a callable::

    with ProgressBar("Replaying alarms") as bar:
        result = replay(alarms, composites, metrics, start, end, progress=bar)
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["ProgressBar"]


class ProgressBar:
    """A rich progress bar driven by ``progress(done, total)`` calls; use it as a context manager.

    Default ``console``: a rich console on standard error, so standard output stays clean for
    machine-readable output. ``transient`` removes the bar when done; ``disable`` draws nothing
    (for ``--quiet`` or when standard error is not a terminal, as the caller decides).
    """

    def __init__(self, description: str = "Replaying alarms", *, console: Console | None = None,
                 transient: bool = False, disable: bool = False) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.description = description
        self._progress: Progress = Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console if console is not None else Console(stderr=True),
            transient=transient, disable=disable, redirect_stdout=False, redirect_stderr=False)
        self._task: TaskID | None = None
        self.done = 0
        self.total: int | None = None

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=None)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._progress.stop()

    def __call__(self, done: int, total: int) -> None:
        """Record that ``done`` of ``total`` steps are finished."""
        if self._task is None:
            raise RuntimeError("use the ProgressBar in a 'with' block before passing it as progress")
        self.done, self.total = done, total
        self._progress.update(self._task, completed=done, total=total)
