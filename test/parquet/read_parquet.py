"""Independent Parquet reader for the tests: Apache Arrow's C++ reader (pyarrow), not DuckDB.

Prints, for each file given, its Arrow schema and every value in a plain form that needs no
Python date range (dates as days and timestamps as microseconds since 1970-01-01, every value
as text, binary and UUID as hex), so infinities and BC dates compare exactly.
"""
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def plain(column):
    t = column.type
    if isinstance(t, pa.ExtensionType):
        column = column.storage
        t = t.storage_type
    if pa.types.is_date32(t):
        column = column.cast(pa.int32())
    elif pa.types.is_timestamp(t):
        column = column.cast(pa.int64())
    values = column.to_pylist()
    if pa.types.is_decimal(t):
        return [None if v is None else str(v) for v in values]
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_large_binary(t):
        return [None if v is None else v.hex() for v in values]
    return [text(v) for v in values]


def text(v):
    """Every value as text (JSON numbers would lose int64 precision): floats in a form JavaScript's Number() reads."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        return 'NaN' if v != v else 'Infinity' if v == float('inf') else '-Infinity' if v == float('-inf') else repr(v)
    return str(v)


out = []
for path in sys.argv[1:]:
    table = pq.read_table(path)
    meta = pq.read_metadata(path)
    out.append({
        'path': path,
        'rows': table.num_rows,
        'rowGroups': meta.num_row_groups,
        'schema': {f.name: str(f.type) for f in table.schema},
        'columns': {name: plain(table.column(name).combine_chunks()) for name in table.column_names},
    })
json.dump(out, sys.stdout)
