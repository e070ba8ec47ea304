"""The demo's fast path at large scale: frames as string columns through Arrow, one UTF-8 CSV
file per type and year, ISO dates, Chinese headers, a handful of bad rows."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from warehouse import record_types as rt
from etl.demo.world import Cat, Seq
from etl.demo.write import bad_strings


def render_arrow(frame: dict, rtype: rt.RecordType) -> pa.Table:
    """All columns as strings, ISO dates, null = empty; Chinese headers."""
    arrays = []
    for col in rtype.columns:
        v = frame[col.name]
        if isinstance(v, Seq):
            num = pc.cast(pa.array(np.arange(v.start, v.start + v.n, dtype=np.int64)), pa.string())
            a = pc.binary_join_element_wise(v.prefix, pc.utf8_lpad(num, v.width, "0"), "")
        elif isinstance(v, Cat):
            codes = np.asarray(v.codes, np.int32)
            a = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                               pa.array(list(v.values), pa.string())).dictionary_decode()
        elif col.type == rt.BOOL:
            codes = np.asarray(v, np.int32)
            a = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(["否", "是"])).dictionary_decode()
        elif col.type in (rt.DATE, rt.TS):
            a = pc.cast(pa.array(v, from_pandas=True), pa.string())
        elif col.type == rt.INT:
            a = pc.cast(pc.cast(pa.array(np.asarray(v, float), from_pandas=True), pa.int64()), pa.string())
        elif col.type == rt.DEC:
            a = pc.cast(pa.array(np.round(np.asarray(v, float), col.scale if col.pair else 2), from_pandas=True),
                        pa.string())
        else:
            a = pa.array(v, pa.string(), from_pandas=True)
        arrays.append(a)
    return pa.Table.from_arrays(arrays, names=[c.zh for c in rtype.columns])


def arrow_with_bad(table: pa.Table, rtype: rt.RecordType, plan, rng) -> pa.Table:
    if not any(k in ("bad_date", "bad_enum", "bad_unit", "duplicate") for k, _ in plan):
        return table
    cols = [c.to_numpy(zero_copy_only=False).astype(object) for c in table.columns]
    bad_strings(cols, rtype, plan, rng)
    return pa.Table.from_arrays([pa.array(c, pa.string()) for c in cols], names=table.column_names)


class ArrowCsv:
    """Appends string tables to one UTF-8 CSV file."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path = path
        self.writer = pacsv.CSVWriter(str(path), schema, write_options=pacsv.WriteOptions(quoting_style="needed"))

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()
