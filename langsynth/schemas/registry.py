"""The registry of schemas by name, and loading of user schemas from files and modules."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import types
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel

from langsynth.errors import SchemaError
from langsynth.schemas.builtin import BUILTIN
from langsynth.schemas.info import SchemaInfo

# Modules of schemas loaded from files are named this + a digest of the file's path.
USER_SCHEMA_MODULE_PREFIX = "langsynth_user_schema_"


def register_schema(info: SchemaInfo) -> None:
    """Add a schema to the registry so it can be referred to by name."""
    BUILTIN[info.name] = info


def builtin_schemas() -> dict[str, SchemaInfo]:
    return dict(BUILTIN)


def _import_from_file(path: Path) -> types.ModuleType:
    if not path.is_file():
        raise SchemaError(f"Schema file {path} does not exist.")
    # A stable name (hash() of a str differs between processes): records of the schema must
    # unpickle in another process, e.g. a Ray worker, under the same module name.
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    module_name = USER_SCHEMA_MODULE_PREFIX + digest
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SchemaError(f"Cannot import {path}: not a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses/pydantic look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[module_name]
        raise SchemaError(f"{path}, line {exc.lineno}: syntax error: {exc.msg}.") from exc
    except Exception as exc:
        del sys.modules[module_name]
        raise SchemaError(f"Importing {path} failed: {type(exc).__name__}: {exc}") from exc
    return module


def _models_in(module: types.ModuleType) -> list[str]:
    return sorted(
        name
        for name, obj in vars(module).items()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel
    )


def load_schema(ref: str | type[BaseModel] | SchemaInfo) -> SchemaInfo:
    """Resolve a schema reference (name, ``file.py:Class``, ``module:Class``, or a model class)."""
    if isinstance(ref, SchemaInfo):
        return ref
    if isinstance(ref, type) and issubclass(ref, BaseModel):
        for info in BUILTIN.values():
            if info.model is ref:
                return info
        return SchemaInfo(name=ref.__name__, model=ref, subject=ref.__name__)
    text = str(ref).strip()
    if text in BUILTIN:
        return BUILTIN[text]
    target, sep, class_name = text.rpartition(":")
    if not sep or not target or not class_name:
        raise SchemaError(
            f"Unknown schema {text!r}. Built-in schemas: {', '.join(sorted(BUILTIN))}; "
            "or pass path/to/file.py:ClassName or package.module:ClassName."
        )
    if target.endswith(".py") or "/" in target or "\\" in target:
        module = _import_from_file(Path(target))
        where = target
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise SchemaError(f"Cannot import module {target!r}: {exc}.") from exc
        where = f"module {target}"
    obj = getattr(module, class_name, None)
    if obj is None:
        found = _models_in(module)
        hint = f" Pydantic models there: {', '.join(found)}." if found else ""
        raise SchemaError(f"{where} has no class {class_name!r}.{hint}")
    if not (isinstance(obj, type) and issubclass(obj, BaseModel)):
        raise SchemaError(f"{where}:{class_name} is not a Pydantic model (BaseModel subclass).")
    return replace(
        SchemaInfo(name=class_name, model=obj, subject=class_name),
        description=(obj.__doc__ or "").strip().splitlines()[0] if obj.__doc__ else "",
    )


def describe_fields(model: type[BaseModel]) -> list[dict[str, str]]:
    """Field name, type and description, for ``langsynth schemas``."""
    rows = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        type_name = getattr(annotation, "__name__", None) or str(annotation)
        type_name = type_name.replace("typing.", "")
        rows.append({"field": name, "type": type_name, "description": info.description or ""})
    return rows
