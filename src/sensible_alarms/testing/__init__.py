"""Snapshot-test the alarms of a stack: ``assert alarm_snapshot == alarm_summary(stack)``.

``alarm_summary`` accepts a CDK ``Stack`` (synthesized through its app), a template ``dict``, a
template file or a cloud assembly directory. Everything but the ``Stack`` case is pure Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .summary import summarize_assembly, summarize_model, summarize_stack, summarize_template

__all__ = ["alarm_summary", "summarize_assembly", "summarize_model", "summarize_stack", "summarize_template"]


def alarm_summary(subject: Any) -> str:
    """The readable alarm summary of a Stack, a template dict, a template file or a cloud assembly."""
    if isinstance(subject, dict):
        return summarize_template(subject)
    if isinstance(subject, str | Path):
        return summarize_model((Path(subject),))
    try:
        import aws_cdk as cdk
    except ImportError as error:  # pragma: no cover - aws-cdk-lib is a dependency
        raise TypeError(f"alarm_summary needs a template, a path or a Stack (got {type(subject).__name__})") from error
    if isinstance(subject, cdk.Stack):
        app = subject.node.root
        if not isinstance(app, cdk.App | cdk.Stage):
            raise TypeError("alarm_summary(stack) needs a stack inside an App")
        template = app.synth().get_stack_by_name(subject.stack_name).template
        return summarize_template(template, stack_name=subject.stack_name)
    raise TypeError(f"alarm_summary needs a Stack, a template dict, a template file or a cloud assembly "
                    f"(got {type(subject).__name__})")
