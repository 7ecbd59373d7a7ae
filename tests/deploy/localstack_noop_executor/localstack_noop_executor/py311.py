"""localstack-core 4.13.1 on Python 3.11: the two places where it relies on a newer Python and the
deployment tests reach, each made to run on 3.11 by a LocalStack start-up hook
(``localstack.hooks.on_infra_start``, run once before LocalStack serves requests).

* ``localstack.packages.api`` annotates ``install_lock: Lock | None`` with ``from threading import
  Lock``. ``threading.Lock`` is a class only from Python 3.13 on; before, it is a function and the
  annotation raises ``TypeError`` when the module is imported. Every service that installs a part of
  itself at first use imports it: Kinesis (``kinesis-local`` from npm) fails with "unsupported operand
  type(s) for |: 'builtin_function_or_method' and 'NoneType'". The hook compiles that one module
  with postponed evaluation of annotations (PEP 563), so the annotation stays a string; nothing in
  LocalStack reads it.
* ``KmsKey.generate_key_material_id`` calls ``uuid.uuid5(key_id, key_material)`` with bytes, which
  ``uuid5`` accepts only from Python 3.12 on; on 3.11 every ``CreateKey`` fails with "encoding
  without a string argument" (and with it every stack with an ``AlarmRouting``: its topics' key).
  The hook gives that method Python 3.12's ``uuid5`` for bytes, so the id is the one LocalStack
  computes on 3.12+.

Each hook does nothing on a Python that has the feature.
"""

from __future__ import annotations
import __future__

import hashlib
import importlib.machinery
import sys
import threading
import uuid
from collections.abc import Sequence
from types import CodeType, ModuleType
from typing import Any

from localstack.runtime import hooks

__all__ = ["patch_kms_key_material_id", "postpone_package_annotations"]

#: The module whose annotations need Python 3.13 (found by importing every module of 4.13.1 on 3.11).
PACKAGES_API = "localstack.packages.api"


class _PostponedAnnotationsLoader(importlib.machinery.SourceFileLoader):
    """Compiles its module from source as if it began with ``from __future__ import annotations``."""

    def get_code(self, fullname: str) -> CodeType:
        # From source every time: a cached .pyc was compiled without the flag.
        path = self.get_filename(fullname)
        code: CodeType = compile(self.get_data(path), path, "exec", dont_inherit=True,
                                 flags=__future__.annotations.compiler_flag)
        return code


class _PostponedAnnotationsFinder:
    """Finds ``localstack.packages.api`` where Python would, and loads it with postponed annotations."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGES_API:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        spec.loader = _PostponedAnnotationsLoader(fullname, spec.origin)
        return spec


@hooks.on_infra_start()
def postpone_package_annotations() -> None:
    """Lets ``localstack.packages.api`` import where ``threading.Lock`` is not a class (Python < 3.13)."""
    if isinstance(threading.Lock, type) or PACKAGES_API in sys.modules:
        return
    if not any(isinstance(finder, _PostponedAnnotationsFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PostponedAnnotationsFinder())


def _uuid5(namespace: uuid.UUID, name: bytes) -> uuid.UUID:
    """``uuid.uuid5`` as Python 3.12 defines it for a bytes name."""
    digest = hashlib.sha1(namespace.bytes + name, usedforsecurity=False).digest()
    return uuid.UUID(bytes=digest[:16], version=5)


@hooks.on_infra_start()
def patch_kms_key_material_id() -> None:
    """Replaces ``KmsKey.generate_key_material_id`` with one that runs on Python 3.11."""
    if sys.version_info >= (3, 12):
        return
    from localstack.services.kms.models import KmsKey

    if not hasattr(KmsKey, "generate_key_material_id"):
        return

    def generate_key_material_id(self: Any, key_material: bytes) -> str:
        # What localstack-core 4.13.1's own method returns: the uuid's hex, twice.
        return _uuid5(self._internal_key_id, key_material).hex * 2

    KmsKey.generate_key_material_id = generate_key_material_id
