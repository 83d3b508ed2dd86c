"""JSON encoding of step outputs, run inputs and results.

Plain JSON values are stored as they are. A few richer types are stored as tagged objects so
they come back as the same type on replay: pydantic models, ``datetime``, ``UUID`` and
``bytes``. Tuples come back as lists and non-string dict keys as strings (JSON has neither).
Anything else is a :class:`SerializationError` that names where the value came from.
"""

from __future__ import annotations

import base64
import importlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from agents._errors import SerializationError

TAG = "__polos__"

# Classes seen while encoding, by import path: models defined inside functions (tests, scripts)
# cannot be imported back by path, but in the same process they can still be found here.
_models_by_path: dict[str, type[BaseModel]] = {}


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        cls = type(value)
        path = _class_path(cls)
        _models_by_path.setdefault(path, cls)
        return {TAG: "model", "cls": path, "v": value.model_dump(mode="json")}
    if isinstance(value, datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, UUID):
        return {TAG: "uuid", "v": str(value)}
    if isinstance(value, bytes):
        return {TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__qualname__} is not JSON serialisable")


def dumps(value: Any, *, what: str = "value") -> str:
    """Encode ``value`` as JSON text; ``what`` names the value in the error message."""
    try:
        return json.dumps(value, default=_default, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SerializationError(
            f"{what} cannot be stored: {exc}. Return JSON values (str, int, float, bool, None, "
            "lists, dicts with str keys), pydantic models, datetime, UUID or bytes."
        ) from None


def _load_model(path: str) -> type[BaseModel] | None:
    cls = _models_by_path.get(path)
    if cls is not None:
        return cls
    module_name, _, qualname = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return None
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        _models_by_path[path] = obj
        return obj
    return None


def _object_hook(obj: dict[str, Any]) -> Any:
    tag = obj.get(TAG)
    if tag is None:
        return obj
    value = obj.get("v")
    if tag == "model":
        cls = _load_model(str(obj.get("cls")))
        # A model class that no longer exists comes back as its data rather than failing.
        return cls.model_validate(value) if cls is not None else value
    if tag == "datetime":
        return datetime.fromisoformat(str(value))
    if tag == "uuid":
        return UUID(str(value))
    if tag == "bytes":
        return base64.b64decode(str(value))
    return obj


def loads(text: str | None) -> Any:
    """Decode text made by :func:`dumps` (``None`` stays ``None``)."""
    if text is None:
        return None
    return json.loads(text, object_hook=_object_hook)
