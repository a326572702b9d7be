"""Rows as a Hugging Face ``datasets.Dataset``, with features derived from the Pydantic schema.

The features come from the schema's JSON schema (serialization mode: the form rows are kept
in), so any Pydantic model works:

- ``Literal[...]`` or an ``Enum`` of strings -> ``ClassLabel`` (names in declaration order);
  of numbers or booleans -> that ``Value``;
- ``list``/``tuple[X, ...]``/``set`` -> ``List(X)`` (what ``datasets.Sequence`` makes);
- ``X | None`` -> the feature of ``X``: Arrow columns are nullable, ``None`` stays ``None``;
- a nested model -> a dict of features (an Arrow struct);
- ``str``/``int``/``float``/``bool`` -> ``Value`` string/int64/float64/bool; dates, times,
  UUIDs, URLs (JSON strings in a row) -> ``Value("string")``;
- anything else (``Any``, ``dict[str, X]``, unions of several types) -> ``Json()``.

Columns the schema does not have (``score``, ``id``, ...) get the feature Arrow infers from
their values (``Json()`` for values of several types). ``langsynth.export`` writes a ``DatasetDict``
with ``save_to_disk`` (``export --format hf``); :func:`langsynth.datafile.read_rows` reads it
back. Every run's result converts with ``result.to_hf_dataset()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langsynth.errors import ConfigurationError, DataFileError
from langsynth.hf_disk import quiet_progress, require_datasets

# Marks a schema node that no typed feature fits; it becomes Json().
_JSON = object()


def _enum_feature(values: Sequence[Any], datasets: Any) -> Any:
    values = [v for v in values if v is not None]
    if values and all(isinstance(v, str) for v in values):
        return datasets.ClassLabel(names=list(dict.fromkeys(values)))
    if values and all(isinstance(v, bool) for v in values):
        return datasets.Value("bool")
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return datasets.Value("int64")
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return datasets.Value("float64")
    return _JSON


_SCALARS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}


def _node_feature(
    node: Mapping[str, Any], defs: Mapping[str, Any], seen: frozenset[str], datasets: Any
) -> Any:
    """The feature of one JSON-schema node; ``_JSON`` where no typed feature fits."""
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        if name in seen or name not in defs:  # a recursive model has no fixed Arrow type
            return _JSON
        return _node_feature(defs[name], defs, seen | {name}, datasets)
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"]
            if len(options) == 1:
                return _node_feature(options[0], defs, seen, datasets)
            return _JSON
    if "allOf" in node and len(node["allOf"]) == 1:
        return _node_feature(node["allOf"][0], defs, seen, datasets)
    if "const" in node:
        return _enum_feature([node["const"]], datasets)
    if "enum" in node:
        return _enum_feature(node["enum"], datasets)
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) != 1:
            return _JSON
        kind = kinds[0]
    if kind in _SCALARS:
        return datasets.Value(_SCALARS[kind])
    if kind == "array":
        items = node.get("items")
        if not isinstance(items, Mapping) or "prefixItems" in node:
            return _JSON
        inner = _node_feature(items, defs, seen, datasets)
        return datasets.List(datasets.Json() if inner is _JSON else inner)
    if kind == "object" and node.get("properties") and not node.get("additionalProperties"):
        fields = {}
        for name, sub in node["properties"].items():
            feature = _node_feature(sub, defs, seen, datasets)
            fields[name] = datasets.Json() if feature is _JSON else feature
        return fields
    return _JSON


def schema_features(model: type[Any]) -> dict[str, Any]:
    """Field name -> ``datasets`` feature for a Pydantic model (see the module docstring)."""
    datasets = require_datasets("Hugging Face features")
    schema = model.model_json_schema(mode="serialization")
    defs = schema.get("$defs", {})
    seen: frozenset[str] = frozenset()
    if "$ref" in schema:  # a recursive model: the root is itself a definition
        seen = frozenset({str(schema["$ref"]).rsplit("/", 1)[-1]})
        schema = defs.get(next(iter(seen)), {})
    out: dict[str, Any] = {}
    for name, node in schema.get("properties", {}).items():
        feature = _node_feature(node, defs, seen, datasets)
        out[name] = datasets.Json() if feature is _JSON else feature
    return out


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(str(k) for k in row))
    return list(seen)


def _inferred(name: str, values: list[Any], datasets: Any) -> Any:
    import pyarrow as pa

    try:
        arrow_type = pa.array(values).type
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return datasets.Json()  # values of several types: kept as they are, stored as JSON
    return datasets.Features.from_arrow_schema(pa.schema([pa.field(name, arrow_type)]))[name]


def _model_of(schema: Any) -> type[Any] | None:
    """A Pydantic model class, or a schema object's ``model`` (a ``SchemaInfo``)."""
    if schema is None or hasattr(schema, "model_json_schema"):
        return schema
    model = getattr(schema, "model", None)
    if model is None:
        raise ConfigurationError(
            f"Not a schema: {schema!r}; give a Pydantic model class or a SchemaInfo (a schema "
            "name works with langsynth.export.to_hf_dataset)."
        )
    return model


def hf_features(rows: Sequence[Mapping[str, Any]], schema: Any = None) -> Any:
    """The ``datasets.Features`` of ``rows``: from the schema (a Pydantic model or a
    ``SchemaInfo``) where it has the column, else inferred from the values. Without rows,
    the schema's fields."""
    datasets = require_datasets("Hugging Face features")
    model = _model_of(schema)
    derived = schema_features(model) if model is not None else {}
    columns = _columns(rows) or list(derived)
    features = {}
    for name in columns:
        feature = derived.get(name)
        if feature is None:
            feature = _inferred(name, [r.get(name) for r in rows], datasets)
        features[name] = feature
    return datasets.Features(features)


def _first_bad_value(rows: Sequence[Mapping[str, Any]], features: Any, datasets: Any) -> str:
    """Where building the dataset failed: the first row and column whose value does not fit."""
    for i, row in enumerate(rows):
        for name, feature in features.items():
            one = datasets.Features({name: feature})
            try:
                datasets.Dataset.from_list([{name: row.get(name)}], features=one)
            except (ValueError, TypeError, OverflowError) as exc:
                return f"row {i}, column {name!r} ({feature}): {row.get(name)!r}: {exc}"
    return "a value does not fit its feature"


def _dataset(rows: Sequence[Mapping[str, Any]], features: Any, datasets: Any) -> Any:
    if not rows:  # from_list([]) would have no columns at all
        return datasets.Dataset.from_dict({name: [] for name in features}, features=features)
    # from_list takes the columns of the first row; give every row every column.
    data = [{name: row.get(name) for name in features} for row in rows]
    with quiet_progress():
        try:
            return datasets.Dataset.from_list(data, features=features)
        except (ValueError, TypeError, OverflowError) as exc:  # pyarrow's errors derive from these
            where = _first_bad_value(data, features, datasets)
            raise DataFileError(
                f"The rows do not fit the dataset's features: {where}. Fix or drop the row "
                "(e.g. with langsynth filter), or give no schema (features are then inferred)."
            ) from exc


def to_hf_dataset(rows: Sequence[Mapping[str, Any]], schema: Any = None) -> Any:
    """``rows`` as a ``datasets.Dataset`` with features from ``schema`` (a Pydantic model or
    a :class:`~langsynth.schemas.SchemaInfo`), else inferred.

    >>> from langsynth.schemas import MovieRecommendation
    >>> ds = to_hf_dataset([{"title": "Alien", "year": 1979}], MovieRecommendation)
    >>> ds.features["year"]
    Value('int64')
    """
    datasets = require_datasets("to_hf_dataset")
    return _dataset(rows, hf_features(rows, schema), datasets)


def to_hf_dataset_dict(parts: Mapping[str, Sequence[Mapping[str, Any]]], schema: Any = None) -> Any:
    """Named splits as a ``datasets.DatasetDict``; every split gets the same features (those
    of all rows together, so a column empty in one split keeps its type)."""
    datasets = require_datasets("to_hf_dataset")
    features = hf_features([row for rows in parts.values() for row in rows], schema)
    return datasets.DatasetDict(
        {name: _dataset(rows, features, datasets) for name, rows in parts.items()}
    )
