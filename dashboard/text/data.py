"""UI text of the data page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
    "data.note_filters": (
        "本页的时间筛选按加载日志的加载开始时间选取批次；单位、景区和淡旺季筛选不适用于本页"
        "（加载记录和隔离行不属于某个单位）。数据时效表与所选时间无关，按今天计算。",
        "On this page the period selects batches by the time their load started; the unit, "
        "scenic-area and season filters do not apply (loads and quarantined rows belong to no unit). "
        "The freshness table ignores the period and is measured against today."),
    "data.note_default": ("默认显示最近 {days} 天的加载批次（不少于最近 {batches} 批），不受其他页面所选时间的影响；"
                          "在上方时间筛选中另选时段，可查看更早的批次。",
                          "By default this page shows the loads of the last {days} days (at least the latest "
                          "{batches} batches), whatever period other pages use; pick a period above for others."),
    "data.note_scope": ("数据管理仅对全市范围的用户开放：隔离区中的原始记录可能属于任何单位。",
                        "Data management is for city-wide users only: quarantined records may belong to any unit."),
    "data.ignored_filters": ("已忽略的筛选：{what}", "Filters ignored here: {what}"),

    # Load log
    "data.log": ("加载日志（最新在前）", "Load log, newest first"),
    "data.log_hint": ("点击一行查看该批次的文件结果和隔离行。状态：已提交＝整批导入；已拒绝＝文件不可用，未导入任何数据；"
                      "已中断＝进程被终止，仓库保持原状；失败＝加载出错，仓库保持原状。",
                      "Click a row for that batch's files and quarantined rows. Committed = the whole batch loaded; "
                      "refused = an unusable file, nothing loaded; interrupted = the process was killed, the "
                      "warehouse unchanged; failed = an error, the warehouse unchanged."),
    "data.totals": ("本期共 {batches} 批（{statuses}）；读取 {rows} 行：新增 {loaded}、更新 {updated}、"
                    "未变 {unchanged}、隔离 {quarantined}。",
                    "Batches in the period: {batches} ({statuses}); rows read: {rows}, of which {loaded} new, "
                    "{updated} updated, {unchanged} unchanged, {quarantined} quarantined."),
    "data.no_batches": ("所选时间内没有加载批次。", "No loads in the selected period."),
    "data.status.committed": ("已提交", "Committed"),
    "data.status.refused": ("已拒绝", "Refused"),
    "data.status.interrupted": ("已中断", "Interrupted"),
    "data.status.failed": ("失败", "Failed"),

    # Columns
    "data.col.batch_id": ("批次号", "Batch"),
    "data.col.started_at": ("开始时间", "Started"),
    "data.col.finished_at": ("完成时间", "Finished"),
    "data.col.seconds": ("用时（秒）", "Seconds"),
    "data.col.user": ("操作人", "User"),
    "data.col.host": ("计算机", "Host"),
    "data.col.status": ("状态", "Status"),
    "data.col.files": ("文件数", "Files"),
    "data.col.rows": ("读取", "Read"),
    "data.col.loaded": ("新增", "New"),
    "data.col.updated": ("更新", "Updated"),
    "data.col.unchanged": ("未变", "Unchanged"),
    "data.col.quarantined": ("隔离", "Quarantined"),
    "data.col.message": ("说明", "Message"),
    "data.col.file": ("文件", "File"),
    "data.col.record_type": ("记录类型", "Record type"),
    "data.col.format": ("格式", "Format"),
    "data.col.encoding": ("编码", "Encoding"),
    "data.col.extra": ("已忽略的多余列", "Extra columns ignored"),
    "data.col.balanced": ("核对", "Check"),
    "data.col.row_number": ("行号", "Row"),
    "data.col.column": ("列", "Column"),
    "data.col.raw_value": ("原始值", "Raw value"),
    "data.col.reason": ("原因", "Reason"),
    "data.col.raw_record": ("原始记录（已脱敏）", "Raw record (masked)"),
    "data.col.type_zh": ("记录类型", "Type (中文)"),
    "data.col.type_en": ("英文名", "Type"),
    "data.col.kind": ("类别", "Kind"),
    "data.col.n_rows": ("行数", "Rows"),
    "data.col.date_column": ("日期列", "Date column"),
    "data.col.latest": ("最新记录日期", "Latest record"),
    "data.col.last_load": ("最近一次加载", "Last loaded"),
    "data.col.days": ("距今天数", "Days ago"),
    "data.balanced_yes": ("✓ 读取＝新增＋更新＋未变＋隔离", "✓ read = new + updated + unchanged + quarantined"),
    "data.balanced_no": ("✗ 行数不平衡", "✗ counts do not add up"),

    # Files of a batch
    "data.batch_filter": ("批次：{batch}", "Batch: {batch}"),
    "data.files_batch": ("批次 {batch} 的文件结果", "Files of batch {batch}"),
    "data.files_period": ("本期各批次的文件结果", "Files of every batch in the period"),
    "data.files_hint": ("每个文件：读取＝新增＋更新＋未变＋隔离；文件中多余的列被忽略并在此列出。",
                        "Per file: read = new + updated + unchanged + quarantined; extra columns in a file are "
                        "ignored and listed here."),
    "data.show_all_batches": ("× 取消选择，显示本期全部批次", "× Clear the selection: every batch in the period"),
    "data.batch_selected": ("已选批次 {batch}（{status}，{when}，{user}）",
                            "Selected batch {batch} ({status}, {when}, {user})"),
    "data.batch_no_files": ("该批次状态为“{status}”，没有导入任何文件。{message}",
                            "This batch was {status}: no file was loaded. {message}"),

    # Quarantine
    "data.quarantine": ("隔离区", "Quarantine"),
    "data.quarantine_scope_batch": ("批次 {batch} 的隔离行", "Quarantined rows of batch {batch}"),
    "data.quarantine_scope_period": ("本期各批次的隔离行", "Quarantined rows of every batch in the period"),
    "data.quarantine_total": ("共 {n} 行被隔离 · 按原因", "{n} rows quarantined · by reason"),
    "data.quarantine_hint": ("一行如有多个问题，会在每个原因下各计一次。点击柱条按原因筛选。手机号、投票人标识等个人信息只显示“已脱敏”，"
                             "自由文本中的号码已打码。",
                             "A row with several problems counts under each reason. Click a bar to filter by it. "
                             "Phone numbers and voter keys show only as “masked”; numbers in free text are masked."),
    "data.no_quarantine": ("没有被隔离的行", "No quarantined rows"),
    "data.filter_file": ("全部文件", "All files"),
    "data.filter_reason": ("全部原因", "All reasons"),
    "data.limit_note": ("共 {n} 条，仅显示前 {limit} 条；请按文件或原因筛选。",
                        "{n} values; showing the first {limit}. Filter by file or reason."),
    "data.shown_note": ("显示 {n} 条问题值。", "{n} problem values shown."),
    "data.masked": ("已脱敏", "masked"),
    "data.rows_word": ("行", "rows"),
    "data.problems_word": ("问题值", "problem values"),
    "data.rows_axis": ("被隔离的行数", "Rows quarantined"),
    "data.reason.missing": ("必填项为空", "Required value empty"),
    "data.reason.bad_value": ("值无法识别", "Unreadable value"),
    "data.reason.out_of_range": ("超出范围", "Out of range"),
    "data.reason.before_start": ("早于开始时间", "Before its start"),
    "data.reason.half_pair": ("经纬度只填了一半", "Coordinate without its pair"),
    "data.reason.unknown_reference": ("未知编码", "Unknown code"),
    "data.reason.cycle": ("单位层级循环", "Unit hierarchy cycle"),
    "data.reason.duplicate": ("文件内主键重复", "Duplicate key in file"),
    "data.reason.malformed": ("CSV 行格式错误", "Malformed CSV line"),

    # Freshness
    "data.freshness": ("各类数据时效", "Freshness per record type"),
    "data.freshness_hint": ("距今天数按各类型的日期列（如接警时间）计算：流水类超过 {amber} 天为琥珀色、超过 {red} 天为红色；"
                            "存量类（警务室、警力、队伍）和评选类只列日期；参考数据（单位、景区）只列数量。",
                            "Days since the latest record by each type's date column (e.g. received_at): flow "
                            "types turn amber after {amber} days and red after {red}; stock types (posts, officers, "
                            "teams) and campaigns show the date only; reference data (units, scenic areas) only counts."),
    "data.kind.reference": ("参考数据", "Reference"),
    "data.kind.stock": ("存量", "Stock"),
    "data.kind.campaign": ("评选", "Campaign"),
    "data.kind.flow": ("流水", "Flow"),

    # How-to
    "data.howto": ("如何导入数据", "How to load data"),
    "data.howto_body": (
        """**导入一批文件**（一次命令＝一个批次，要么整批提交，要么什么都不改）：

```
python -m etl load 导出文件或目录… [--type incidents] [--user 张三] [--json]
```

- 文件名以记录类型的中文或英文名开头即可识别类型（如 `涉旅警情_2026年11月.csv`、`incidents_2026-11.csv`），否则用 `--type` 指定。
- 支持 CSV（UTF-8、带 BOM 的 UTF-8、GBK/GB18030，自动识别）和 XLSX（第一个工作表）。
- **退出码**：`0` 批次已提交（含隔离行）；`2` 批次被拒绝（类型无法识别、文件无法读取、缺少必填列），未导入任何数据；其他非零值：加载出错，仓库保持原状，本页显示为“失败”或“已中断”。
- **隔离原因从哪里来**：每种记录类型的列、必填项、取值、范围和引用在 `warehouse/record_types.py` 中声明一次，由 `etl/validate.py` 逐条检查；不合格的行进入隔离区，其余行照常导入。
- **修正后重新导入**：在原文件中改正被隔离的行，再次导入同一文件即可；已导入且未改动的行计为“未变”，重复导入不会改变任何数据。
""",
        """**Load a batch of files** (one command = one batch: committed whole, or nothing changes):

```
python -m etl load FILES_OR_DIRECTORIES… [--type incidents] [--user NAME] [--json]
```

- A file's record type is read from its name, which starts with the type's Chinese or English name (`涉旅警情_2026年11月.csv`, `incidents_2026-11.csv`); otherwise give `--type`.
- CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, detected) and XLSX (first sheet).
- **Exit codes**: `0` the batch committed (quarantined rows included); `2` the batch was refused (unknown type, unreadable file, missing required columns) and nothing was loaded; any other non-zero: the load failed and the warehouse is as it was; this page shows it as failed or interrupted.
- **Where reasons come from**: each record type's columns, required values, accepted values, ranges and references are declared once in `warehouse/record_types.py` and checked by `etl/validate.py`; failing rows go to quarantine, the others load.
- **Fix and reload**: correct the quarantined rows in the original file and load it again; rows already loaded and unchanged count as unchanged, so a reload changes nothing else.
"""),
}
