# ruff: noqa: S608 -- SQL is built from fixed fragments; file paths are quoted
"""Reading operator record files for the features step: columns, encodings, value shapes.

* Column names are matched through ALIASES after normalising (lower case; spaces, underscores, a BOM
  and bracketed units such as ``(秒)`` / ``（MB）`` removed), so Chinese and common English headers work.
* CSV files that are not UTF-8 are transcoded from GB18030 (a superset of GBK) into a temporary UTF-8
  file, in chunks (prepare()); so are files starting with a UTF-16 BOM (LE ``FF FE`` or BE ``FE FF``:
  Excel's "Unicode text") or recognised as UTF-16 / UTF-32 without one (bomless_utf16, bomless_utf32);
  0-byte and blank files are empty extracts.
* CSV lines DuckDB cannot split into the header's columns are skipped and recorded (``store_rejects``);
  bad_lines() reads them back with their line numbers.
* The value expressions (TIME_SQL, duration_sql, CALL_TYPE_SQL, SMS_TYPE_SQL, number_sql) parse the
  usual spellings; times with an offset, epoch numbers and TIMESTAMPTZ columns become China time.
* Units named in a header (``通话时长(毫秒)``, ``流量(KB)``, ``消费金额(分)``) convert plain numbers
  (header_unit); 主叫号码 / 被叫号码 beside a type column are read by direction (subscriber_sides).
"""

from __future__ import annotations

import codecs
import gzip
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import duckdb


class InputError(ValueError):
    """Raised for unusable input files (missing columns, unreadable files)."""


ALIASES: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "phone_no_m", "msisdn", "number", "subscriber", "phone_no", "user_number",
              "acc_nbr", "serv_nbr", "billing_nbr", "本机号码", "用户号码", "计费号码", "手机号码",
              "服务号码", "号码", "主叫号码"),
    "opposite": ("opposite", "opposite_no_m", "other", "peer", "other_number", "other_party",
                 "counterpart", "opp_nbr", "opp_number", "other_nbr", "对端号码", "对方号码", "被叫号码",
                 "对端", "对方"),
    "caller": ("caller", "calling", "calling_number", "calling_nbr", "calling_no", "caller_number",
               "from_number", "a_number", "主叫号码", "主叫"),
    "callee": ("callee", "called", "called_number", "called_nbr", "called_no", "callee_number",
               "to_number", "b_number", "被叫号码", "被叫"),
    "sender": ("sender", "sender_number", "from_number", "发送号码", "发送方号码", "发信号码", "发送方",
               "calling_number", "calling_nbr", "主叫号码"),
    "receiver": ("receiver", "recipient", "receiver_number", "to_number", "接收号码", "接收方号码",
                 "收信号码", "接收方", "called_number", "called_nbr", "被叫号码"),
    "call_type": ("call_type", "calltype_id", "calltype", "direction", "call_direction", "呼叫类型",
                  "通信方式", "通话类型", "主被叫", "主叫被叫", "主被叫类型", "主被叫标志", "呼叫方向",
                  "呼叫方式", "通话方式"),
    "sms_type": ("sms_type", "calltype_id", "calltype", "direction", "短信类型", "收发类型",
                 "收发标志", "短信方向", "通信方式", "收发", "发送接收", "短信收发类型", "收发方式",
                 "短信收发标志"),
    "start_time": ("start_time", "start_datetime", "time", "datetime", "call_time", "begin_time",
                   "call_start_time", "开始时间", "通话开始时间", "起始时间", "通话起始时间", "呼叫开始时间",
                   "通话时间", "呼叫时间", "时间"),
    "time": ("time", "request_datetime", "send_time", "sms_time", "datetime", "start_time",
             "发送时间", "短信时间", "接收时间", "起始时间", "开始时间", "通信时间", "时间"),
    "date": ("date", "call_date", "start_date", "通话日期", "开始日期", "日期", "发送日期"),
    "duration": ("duration", "call_dur", "call_duration", "dur", "seconds", "通话时长", "通信时长", "时长",
                 "通话时间长度"),
    # where the subscriber was (漫游地, 通话地) before the number's home (归属地) when a file has both
    "city": ("city", "city_name", "cell_city", "城市", "通话地", "通话地点", "通信地点", "通话城市", "漫游地",
             "漫游城市", "通话所在地", "地市", "归属地"),
    "county": ("county", "county_name", "cell", "cell_id", "lac_ci", "lacci", "lac", "ci",
               "base_station", "区县", "基站", "小区", "基站号", "小区号", "基站编号", "小区编号"),
    "imei": ("imei", "imei_m", "handset", "handset_id", "终端号", "终端标识", "终端", "设备号", "串号",
             "imei号", "imei码", "终端imei", "手机串号", "meid"),
    "busi_name": ("busi_name", "app", "app_name", "service", "业务名称", "应用名称", "业务", "应用"),
    "flow": ("flow", "traffic", "traffic_mb", "流量", "上网流量", "使用流量"),
    "month": ("month", "month_id", "月份", "账期", "统计月份", "月"),
    "arpu": ("arpu", "spending", "amount", "消费金额", "月消费", "消费", "金额", "话费"),
}  # fmt: skip

# each role as an analyst names it, for the messages (the aliases list every spelling read)
ROLE_NAMES = {
    "phone": "本机号码", "opposite": "对端号码", "caller": "主叫号码", "callee": "被叫号码",
    "sender": "发送号码", "receiver": "接收号码", "call_type": "呼叫类型", "sms_type": "短信类型",
    "start_time": "开始时间", "time": "时间", "date": "日期", "duration": "通话时长", "city": "城市",
    "county": "区县", "imei": "IMEI", "busi_name": "业务名称", "flow": "流量", "month": "月份",
    "arpu": "消费金额",
}  # fmt: skip

_UNIT = re.compile(r"[(（\[【].*?[)）\]】]")


def norm_header(name: str) -> str:
    """``" 通话时长（秒）"`` → ``"通话时长"``, ``"Start Time"`` → ``"starttime"``, ``"LAC-CI"`` → ``"lacci"``.

    (Bracketed units, spaces, underscores, hyphens and slashes go: ``LAC_CI``, ``LAC/CI`` and ``主/被叫``
    are ``lacci`` and ``主被叫``; the aliases are compared the same way.)
    """
    s = _UNIT.sub("", name.replace("\ufeff", "")).lower()
    return re.sub(r"[\s_\u3000\-/－／]+", "", s)


class Cols(dict[str, str]):
    """Normalised column name -> actual column name of a file; ``types``: actual name -> DuckDB type."""

    types: dict[str, str]


def pick(cols: Cols, role: str) -> str | None:
    """The quoted column of ``role`` (first alias present), or None."""
    for alias in ALIASES[role]:
        key = norm_header(alias)
        if key in cols:
            return '"' + cols[key].replace('"', '""') + '"'
    return None


def need(path: Path, cols: Cols, roles: list[str]) -> dict[str, str]:
    """The quoted column of each role; a Chinese error naming the missing ones and their aliases."""
    found = {r: pick(cols, r) for r in roles}
    missing = [r for r, c in found.items() if c is None]
    if missing:
        raise InputError(
            f"文件 {path} 缺少必需的列：{'、'.join(f'{ROLE_NAMES[r]}（{r}）' for r in missing)}（可用列名："
            + "；".join(f"{ROLE_NAMES[r]}={'/'.join(ALIASES[r])}" for r in missing)
            + f"）。{existing_columns(cols.values())}"
        )
    return found  # type: ignore[return-value]


_RECORD_VALUE = re.compile(r"[0-9]{7,}")  # a phone number, a handset id, a compact time: a value, no name


def existing_columns(names: Iterable[str]) -> str:
    """The columns a file has, for an error message. A first line holding a record (a file without a
    header) is not listed: its numbers are personal data, never echoed into a message or a page."""
    names = list(names)
    if any(_RECORD_VALUE.search(name) for name in names):
        return "第一行像是一条记录而不是表头（文件没有表头？），请在第一行写上列名"
    return f"现有列：{', '.join(names)}"


_UNNAMED = re.compile(r"column\d+")  # DuckDB's name for a column whose header cell is blank


def note_unread_columns(f: Prepared, cols: Cols, notes: list[str]) -> None:
    """Name the columns no alias matches: their values are not read (a header such as 基站/城市 is
    neither a city nor a cell), and the analyst should know before trusting the city or handset counts.
    Blank headers are left out, and so is a first line that is a record (personal data)."""
    unread = [name for key, name in cols.items() if key not in _KNOWN and not _UNNAMED.fullmatch(name)]
    if unread and not any(_RECORD_VALUE.search(name) for name in unread):
        notes.append(f"{f.source}：这些列的列名无法识别，其中的值未读取：{'、'.join(unread)}")


def has_roles(cols: Cols, roles: list[str]) -> bool:
    return all(pick(cols, r) is not None for r in roles)


def record_roles(
    path: Path, cols: Cols, roles: list[str], kind: str, pair: tuple[str, str]
) -> dict[str, str] | None:
    """The quoted columns of a subscriber-view record's ``roles`` (phone, opposite, the type ``kind`` …);
    with only a caller/callee (sender/receiver) ``pair`` beside a type column (calling_nbr, called_nbr,
    call_type), the pair stands for phone and opposite (:func:`subscriber_sides` then reads each record
    from the subscriber's side). None: the pair and no type column, a network view of the records."""
    if has_roles(cols, roles) or not has_roles(cols, list(pair)):
        return need(path, cols, roles)
    if pick(cols, kind) is None:
        return None
    c = need(path, cols, [*pair, *(r for r in roles if r not in ("phone", "opposite"))])
    return {**c, "phone": c[pair[0]], "opposite": c[pair[1]]}


def optional(cols: Cols, role: str) -> str:
    c = pick(cols, role)
    return f"CAST({c} AS VARCHAR)" if c else "CAST(NULL AS VARCHAR)"


# ---------------------------------------------------------------- files: encodings, empties, rejects

CHUNK = 1 << 22
_MARKERS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx (zip) / xls (OLE)


@dataclass
class Prepared:
    """A file ready for DuckDB: the path to read (None: empty) and notes for the report."""

    source: Path
    path: Path | None
    notes: list[str] = field(default_factory=list)
    rejects: str | None = None  # the rejects table of a CSV read
    lenient: bool = False  # strict_mode=false: DuckDB could not parse the file strictly

    def relax(self) -> bool:
        """Switch a CSV to DuckDB's lenient parser (fresh rejects table); False if already lenient."""
        if self.rejects is None or self.lenient:
            return False
        self.lenient, self.rejects = True, f"{self.rejects}_lenient"
        self.notes.append(f"{self.source}：按严格 CSV 规则无法解析（如换行符混用），已改用宽松模式读取")
        return True


_GZIP = b"\x1f\x8b"


def gzipped(path: Path) -> bool:
    """Whether ``path`` is a gzip file, whatever its name (a 话单.csv that was gzipped and kept its name)."""
    if path.name.lower().endswith(".gz"):
        return True
    with path.open("rb") as fh:
        return fh.read(2) == _GZIP


def _open(path: Path) -> IO[bytes]:
    if gzipped(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _blank(path: Path) -> bool:
    """Whether the file holds nothing but blanks (spaces, line ends), streamed."""
    with _open(path) as fh:
        while chunk := fh.read(CHUNK):
            if chunk.strip():
                return False
    return True


def _is_utf8(path: Path) -> bool:
    dec = codecs.getincrementaldecoder("utf-8")()
    with _open(path) as fh:
        try:
            while chunk := fh.read(CHUNK):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


# byte-order marks -> codec (UTF-32 LE first: its mark starts like UTF-16 LE's)
_BOMS = {
    codecs.BOM_UTF32_LE: "utf-32",
    codecs.BOM_UTF32_BE: "utf-32",
    codecs.BOM_UTF16_LE: "utf-16",
    codecs.BOM_UTF16_BE: "utf-16",
}
_CUT = (
    "文件 {path} 以 {name} 的 BOM 开头，但内容不是有效的 {name}（文件可能不完整），无法读取；"
    "请另存为 UTF-8 编码的 CSV。"
)
_UNDECODABLE = {
    "gb18030": "文件 {path} 既不是 UTF-8 也不是 GBK/GB18030 编码，无法读取；请另存为 UTF-8 编码的 CSV。",
    "utf-16": _CUT.replace("{name}", "UTF-16"),
    "utf-32": _CUT.replace("{name}", "UTF-32"),
    "utf-16-le": "文件 {path} 看起来是没有 BOM 的 UTF-16 编码，但内容不是有效的 UTF-16，无法读取；"
    "请另存为 UTF-8 编码的 CSV。",
}
_UNDECODABLE["utf-16-be"] = _UNDECODABLE["utf-16-le"]
_UNDECODABLE["utf-32-le"] = _UNDECODABLE["utf-32-be"] = _UNDECODABLE["utf-16-le"].replace("16", "32")
HEAD = 4096  # the first block, where a UTF-16 or UTF-32 file without a BOM is recognised


def bomless_utf32(head: bytes) -> str | None:
    """``utf-32-le`` / ``utf-32-be`` when the first block is UTF-32 without a BOM, else None.

    Every character of UTF-32 takes four bytes, the highest always NUL and the next one NUL but for rare
    characters beyond U+FFFF; so (LE) the bytes at 4k+2 and 4k+3 are nearly all NUL and those at 4k
    seldom are (开 = U+5F00; BE: mirrored), and the block decodes. UTF-16 and 8-bit text do not look so."""
    n = len(head) - len(head) % 4
    groups = n // 4
    if groups < 2:
        return None
    for codec, low, high, first in (("utf-32-le", 2, 3, 0), ("utf-32-be", 1, 0, 3)):
        nul_high, nul_low = head[high:n:4].count(0), head[low:n:4].count(0)
        if nul_high == groups and 8 * nul_low >= 7 * groups and 4 * head[first:n:4].count(0) < groups:
            try:
                head[:n].decode(codec)
            except UnicodeDecodeError:
                return None
            return codec
    return None


def bomless_utf16(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the first block is UTF-16 without a BOM, else None.

    CSV text in UTF-8 or GBK holds no NUL byte; UTF-16 writes every ASCII character (digits, commas,
    tabs, line ends, English headers) with a NUL in one position of its two bytes (and a few Chinese
    characters, 开 = U+5F00, in the other). So: NULs in at least a quarter of the byte pairs, nearly
    all in the same position, and the block decodes."""
    n = len(head) - len(head) % 2
    pairs, low, high = n // 2, head[1:n:2].count(0), head[0:n:2].count(0)
    codec, most, other = ("utf-16-le", low, high) if low >= high else ("utf-16-be", high, low)
    if pairs < 2 or 4 * most < pairs or 8 * other > most:
        return None
    try:
        codecs.getincrementaldecoder(codec)().decode(head[:n])  # a pair cut at the end is not an error
    except UnicodeDecodeError:
        return None
    return codec


def _transcode(path: Path, out: Path, codec: str = "gb18030") -> bool:
    """Stream ``path`` (``codec``; "utf-16"/"utf-32" read and drop the BOM) into the UTF-8 file
    ``out``, chunk by chunk, never the whole file in memory. False when it holds nothing but blanks."""
    dec = codecs.getincrementaldecoder(codec)()
    seen = False
    try:
        with _open(path) as fh, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := fh.read(CHUNK):
                text = dec.decode(chunk)
                seen = seen or bool(text.strip())
                dst.write(text)
            text = dec.decode(b"", final=True)
            seen = seen or bool(text.strip())
            dst.write(text)
    except UnicodeDecodeError as exc:
        out.unlink(missing_ok=True)
        raise InputError(_UNDECODABLE[codec].format(path=path)) from exc
    return seen


def _from_bom(path: Path, out: Path, n: int, codec: str) -> Prepared:
    """A file with a UTF-16 BOM (Excel's "Unicode text", often tab-separated) or a UTF-32 one as a
    UTF-8 copy."""
    if not _transcode(path, out, codec):
        out.unlink(missing_ok=True)
        return Prepared(path, None, [f"{path}：空文件，按空数据处理"])
    like = "（如 Excel 的“Unicode 文本”）" if codec == "utf-16" else ""
    if codec.endswith(("-le", "-be")):
        like = f"（{codec[-2:].upper()}，没有 BOM）"
    note = f"{path}：是 {codec[:6].upper()} 编码{like}，已转码为 UTF-8 读取"
    return Prepared(path, out, [note], f"rejects_{n}")


def is_parquet(path: Path) -> bool:
    return str(path).lower().endswith((".parquet", ".pq"))


def prepare(path: Path, workdir: Path, n: int) -> Prepared:
    """Check a file before DuckDB reads it: missing → error, 0 bytes → empty, GBK or UTF-16 → UTF-8 copy."""
    if not path.is_file():
        raise InputError(f"找不到文件 {path}")
    if path.stat().st_size == 0:
        return Prepared(path, None, [f"{path}：空文件（0 字节），按空数据处理"])
    if is_parquet(path):
        return Prepared(path, path)
    with _open(path) as fh:
        head = fh.read(HEAD)
    if head.startswith(_MARKERS):
        raise InputError(f"文件 {path} 是 Excel 或压缩文件，不是 CSV；请在 Excel 中另存为 CSV（UTF-8）。")
    codec = next((c for bom, c in _BOMS.items() if head.startswith(bom)), None)
    codec = codec or bomless_utf32(head) or bomless_utf16(head)
    if codec is not None:
        return _from_bom(path, workdir / f"utf8_{n}.csv", n, codec)
    if not head.strip() and _blank(path):  # blank lines before a header are no empty file
        return Prepared(path, None, [f"{path}：空文件，按空数据处理"])
    if _is_utf8(path):
        return Prepared(path, path, rejects=f"rejects_{n}")
    out = workdir / f"utf8_{n}.csv"
    _transcode(path, out)
    return Prepared(path, out, [f"{path}：不是 UTF-8 编码，已按 GBK/GB18030 转码读取"], f"rejects_{n}")


# a cell written as an Excel formula so that Excel keeps it as text (="13800138000",
# ="2026-11-28 09:30:00", ="60" — how many systems export 话单 to CSV): the text inside is the value
_FORMULA = "starts_with(COLUMNS(*), '=\"') AND ends_with(COLUMNS(*), '\"') AND length(COLUMNS(*)) >= 3"
_UNWRAPPED = f"CASE WHEN {_FORMULA} THEN substr(COLUMNS(*), 3, length(COLUMNS(*)) - 3) ELSE COLUMNS(*) END"


def reader(f: Prepared) -> str:
    """The file as a DuckDB table expression: a CSV's cells as text, ``="…"`` cells unwrapped."""
    p = str(f.path).replace("'", "''")
    if is_parquet(Path(p)):
        return f"read_parquet('{p}')"
    # DuckDB knows a gzip file by its name: one named .csv is told
    packed = ", compression='gzip'" if gzipped(Path(p)) and not p.lower().endswith(".gz") else ""
    scan = (
        f"read_csv('{p}'{packed}, header=true, all_varchar=true, auto_detect=true, store_rejects=true, "
        f"rejects_table='{f.rejects}', rejects_scan='{f.rejects}_scan'"
        + (", strict_mode=false)" if f.lenient else ")")
    )
    return f"(SELECT {_UNWRAPPED} FROM {scan})"


def error_line(exc: Exception) -> str:
    """The first line of a DuckDB error (the rest lists reader options the user cannot set)."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def columns(con: duckdb.DuckDBPyConnection, f: Prepared) -> Cols:
    """Normalised column name -> actual column name of a file (with the column types)."""
    try:
        rel = con.sql(f"SELECT * FROM {reader(f)} LIMIT 0")
    except duckdb.Error as exc:
        if f.relax():
            return columns(con, f)
        raise InputError(f"无法读取文件 {f.source}：{error_line(exc)}") from exc
    cols = Cols()
    for c in rel.columns:
        cols.setdefault(norm_header(c), c)
    cols.types = {c: str(t).upper() for c, t in zip(rel.columns, rel.types, strict=True)}
    if not any(name in _KNOWN for name in cols) and f.path is not None and not is_parquet(f.path):
        _refuse_title_lines(f)
    return cols


_KNOWN = frozenset(norm_header(alias) for aliases in ALIASES.values() for alias in aliases)
TITLE_LINES = 10  # how far below the first line a header is looked for


def _refuse_title_lines(f: Prepared) -> None:
    """A first line that names no known column, with a header below it: title lines before the header
    (an operator's 详单 starts “查询号码：…”, “中国移动通话详单”) — said as such, not as missing columns or
    a file without a header. The title is never quoted: it may hold the subscriber's number."""
    if f.path is None:
        return
    with _open(f.path) as fh:
        head = fh.read(HEAD * 4).decode("utf-8-sig", errors="replace").splitlines()[1:TITLE_LINES]
    for line_number, line in enumerate(head, start=2):
        names = [cell.strip().strip('"') for cell in re.split(r"[,;\t|]", line)]
        known = [name for name in names if norm_header(name) in _KNOWN]
        if len(known) >= 2:
            raise InputError(
                f"文件 {f.source} 的表头在第 {line_number} 行（{'、'.join(known[:5])} …），前面 "
                f"{line_number - 1} 行像是标题或说明（如“查询号码…”“通话详单”）："
                f"请删去表头前的 {line_number - 1} 行，让列名在第一行，再导入。"
            )


# a totals line (合计 / 总计 / 小计 … at the bottom of an operator's CSV, or 本页小计 between pages): a cell
# starting with a totals word, numbers in none of the number columns (FOOTER: the line; FOOTER_HALF: the
# receiver's row of such a line in a sender/receiver SMS file, which is no second line)
FOOTER, FOOTER_HALF = 1, 2
_GAP = r"[\s　]*"  # 合 计, as a two-character label is often spaced
_TOTALS_WORD = "|".join(_GAP.join(word) for word in ("合计", "总计", "小计", "共计", "汇总"))
_TOTALS_CELL = (
    rf"{_GAP}(?:(?:本页|本月|本期|本表|全部|总)?(?:{_TOTALS_WORD})[^\x1f]*"
    r"|(?i:(?:grand[\s_]*|sub[\s_]*)?totals?|sum)(?:[^a-z\x1f][^\x1f]*)?)"
)
_TOTALS_LINE = rf"(?:^|\x1f){_TOTALS_CELL}(?:\x1f|$)"
_NUMBER_DIGITS = "[0-9０-９]{3}"  # no phone number has fewer digits (110, 120)


def footer_sql(f: Prepared, cols: Cols, numbers: list[str], code: int = FOOTER) -> str:
    """``code`` when the CSV line is a totals line (_TOTALS_LINE in any of its cells, no run of three
    digits in the number columns ``numbers``), else 0 — a real record has a number: it is never one.
    Parquet files are written by programs, not spreadsheets: never."""
    if f.path is None or is_parquet(f.path):
        return "CAST(0 AS TINYINT)"
    digits = " OR ".join(
        f"coalesce(regexp_matches(CAST({n} AS VARCHAR), '{_NUMBER_DIGITS}'), false)" for n in numbers
    )
    cells = ", ".join('CAST("' + name.replace('"', '""') + '" AS VARCHAR)' for name in cols.types)
    return (
        f"CAST(CASE WHEN {digits} THEN 0 "
        f"WHEN regexp_matches(concat_ws(chr(31), {cells}), '{_TOTALS_LINE}') THEN {code} "
        "ELSE 0 END AS TINYINT)"
    )


# a totals line cut short (合计,3600 in a five-column file) is rejected by DuckDB as malformed; its text
# tells it apart: a cell starting with a totals word, and no run of seven digits (a phone number)
_TOTALS_START = (
    rf"(?:^|[,;\t|])\"?{_GAP}(?:(?:本页|本月|本期|本表|全部|总)?(?:{_TOTALS_WORD})"
    r"|(?i:(?:grand[\s_]*|sub[\s_]*)?totals?|sum)(?:[^a-z]|$))"
)
_CUT_FOOTER = (
    f"coalesce(regexp_matches(csv_line, '{_TOTALS_START}') "
    "AND NOT regexp_matches(csv_line, '[0-9０-９]{7}'), false)"
)
FOOTER_LABEL, FOOTER_SAID = "合计、小计等汇总行", "（不是记录，未计入）"


def bad_lines(
    con: duckdb.DuckDBPyConnection, f: Prepared, show: int = 20, footers: bool | None = None
) -> tuple[int, list[int]]:
    """How many lines of a CSV were skipped as malformed, and the first ``show`` line numbers; ``footers``
    True: only the totals lines among them (_CUT_FOOTER), False: only the others, None: all."""
    if f.rejects is None:
        return 0, []
    lines = f"(SELECT line, bool_or({_CUT_FOOTER}) AS footer FROM {f.rejects} GROUP BY line) l"
    where = "" if footers is None else f" WHERE footer = {str(footers).lower()}"
    try:
        n = con.execute(f"SELECT count(*) FROM {lines}{where}").fetchall()[0][0]
        rows = con.execute(f"SELECT line FROM {lines}{where} ORDER BY line LIMIT {show}").fetchall()
    except duckdb.CatalogException:  # no read happened (e.g. only the header was needed)
        return 0, []
    return int(n), [int(r[0]) for r in rows]


def rejected(con: duckdb.DuckDBPyConnection, files: list[Prepared], notes: list[str]) -> dict[str, int]:
    """Malformed CSV lines (skipped): counted per kind, named with their line numbers in the notes —
    totals lines cut short apart (``footer_lines``): no records at all."""
    counts = {"bad_lines": 0, "footer_lines": 0}
    for f in files:
        for key, footers in (("bad_lines", False), ("footer_lines", True)):
            n, lines = bad_lines(con, f, footers=footers)
            if not n:
                continue
            counts[key] += n
            named = ", ".join(map(str, lines)) + (" …" if n > len(lines) else "")
            if footers:
                notes.append(
                    f"{f.source}：{FOOTER_LABEL} {n} 条{FOOTER_SAID}：行号 {named.replace(', ', '，行号 ')}"
                )
            else:
                notes.append(f"{f.source}：跳过 {n} 个格式错误的行（列数不符或引号错误），行号 {named}")
    return counts


# the seconds of the columns duration_cols gives (dur_raw, dur0); infinite (inf, -inf, 1e309 — what a
# float overflow leaves): no duration, and no call either. ``nan`` is a missing value as a program writes
# it: a blank (the call counts, its duration unknown), as in every other column.
DURATION_SECONDS = "coalesce(dur0, {dur_raw})"
NONFINITE = "isinf({x})"  # NULL (blank, nan) is not among them


def nonfinite_durations(
    con: duckdb.DuckDBPyConnection, f: Prepared, show: int = 20
) -> tuple[str, list[tuple[int, str]]]:
    """The duration column of a calls file and its first ``show`` records whose duration is not a finite
    number, as (line number — a CSV's header is line 1; a Parquet file's record number —, value as
    written). Numbered in the file's order (insertion order kept for this one read)."""
    if f.path is None:
        return "", []
    cols = columns(con, f)
    c = pick(cols, "duration")
    if c is None:
        return "", []
    seconds = DURATION_SECONDS.format(dur_raw=duration_sql("dur_raw"))
    scale = header_unit(f.source, cols, c, "duration", [])
    first = 0 if is_parquet(f.path) else 1
    with file_order(con):
        rows = con.execute(
            f"SELECT n + {first}, raw FROM (SELECT row_number() OVER () AS n, CAST({c} AS VARCHAR) AS raw, "
            f"{duration_cols(cols, c, scale)} FROM {reader(f)}) WHERE {NONFINITE.format(x=seconds)} "
            f"ORDER BY n LIMIT {int(show)}"
        ).fetchall()
    return c[1:-1].replace('""', '"'), [(int(n), cut_value(str(raw))) for n, raw in rows]


@contextmanager
def file_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rows numbered in the file's order (``row_number() OVER ()``): insertion order kept meanwhile."""
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order=true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order={'true' if kept else 'false'}")


def cut_value(value: str, keep: int = 40) -> str:
    """A value as written, for a note: a long one cut short."""
    return value if len(value) <= keep else value[:keep] + "…"


# ---------------------------------------------------------------- value shapes

# China has used UTC+8 all year since 1991: epoch values and offset-bearing times are shifted by 8 hours
CN_OFFSET_US = 8 * 3600 * 1_000_000
TIME_FORMATS = (
    "'%Y/%m/%d %H:%M:%S', '%Y%m%d%H%M%S', '%Y/%m/%d %H:%M', "
    "'%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H时%M分%S秒', '%Y年%m月%d日 %H:%M', '%Y年%m月%d日', "
    "'%Y%m%d %H%M%S', '%Y%m%d %H:%M:%S', '%Y.%m.%d %H:%M:%S', '%Y.%m.%d %H:%M', '%Y%m%d', '%Y.%m.%d', "
    # Oracle's default TIMESTAMP / DATE text (28-NOV-26 09.30.00.000000 AM: the AM/PM read by _AMPM_SQL)
    "'%d-%b-%y %H.%M.%S.%f', '%d-%b-%y %H.%M.%S', '%d-%b-%Y %H:%M:%S', '%d-%b-%y %H:%M:%S'"
)
# 28/11/2026 or 11/28/2026: read when the order is clear (one part above 12), else unknown (bad_time)
_DAY_LAST = "regexp_matches({x}, '^[0-9]{{1,2}}[/.][0-9]{{1,2}}[/.][0-9]{{4}}')"
_FIRST_PART = "TRY_CAST(regexp_extract({x}, '^([0-9]{{1,2}})', 1) AS INTEGER)"
_SECOND_PART = "TRY_CAST(regexp_extract({x}, '^[0-9]{{1,2}}[/.]([0-9]{{1,2}})', 1) AS INTEGER)"
_DAY_FIRST_FORMATS = "'%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d.%m.%Y %H:%M:%S', '%d.%m.%Y'"
_MONTH_FIRST_FORMATS = "'%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%m.%d.%Y %H:%M:%S', '%m.%d.%Y'"
_DAY_LAST_SQL = (
    f"CASE WHEN {_FIRST_PART} > 12 THEN try_strptime({{x}}, [{_DAY_FIRST_FORMATS}]) "
    f"WHEN {_SECOND_PART} > 12 THEN try_strptime({{x}}, [{_MONTH_FIRST_FORMATS}]) END"
)
# DuckDB dialect; on Spark: to_timestamp with the same formats, from_utc_timestamp for epochs / offsets
# (ends with a digit: DuckDB's cast reads "2026-11-28 09:05 PM" as 09:05, ignoring the PM)
_PLAIN_TIME = (
    "length({x}) = 19 AND NOT contains({x}, 'Z') AND NOT contains({x}, '+') "
    "AND right({x}, 1) BETWEEN '0' AND '9'"
)
# a 12-hour clock: "09:05:03 PM", "9:05 pm", "下午 09:05:03" — read without its marker, then shifted
_AMPM = "[0-9] ?[aApP]\\.?[mM]\\.?$|上午|下午"
_NO_AMPM = (
    "trim(regexp_replace(regexp_replace(regexp_replace({x}, ' ?[aApP]\\.?[mM]\\.?$', ''), "
    "'上午|下午', ' ', 'g'), '\\s+', ' ', 'g'))"
)
# (lambdas bind the marker-less text and its reading once; DuckDB-specific, as is the parsing)
_CLOCK12 = (
    f"coalesce(TRY_CAST(_txt AS TIMESTAMP), try_strptime(_txt, [{TIME_FORMATS}]), "
    + _DAY_LAST_SQL.replace("{x}", "_txt")
    + ")"
)
_AMPM_SQL = (
    f"list_transform([list_transform([{_NO_AMPM}], lambda _txt: {_CLOCK12})[1]], lambda _clk: "
    "CASE WHEN regexp_matches({x}, '[pP]\\.?[mM]\\.?$|下午') THEN CASE WHEN hour(_clk) < 12 "
    "THEN _clk + INTERVAL 12 HOUR ELSE _clk END WHEN hour(_clk) = 12 THEN _clk - INTERVAL 12 HOUR "
    "WHEN hour(_clk) < 12 THEN _clk END)[1]"
)
_EPOCH_FLOAT = "contains({x}, '.') AND regexp_full_match({x}, '[0-9]{{%d}}\\.[0-9]*')"
_EPOCH_SCALED = f"make_timestamp(CAST(CAST({{x}} AS DOUBLE) * %g AS BIGINT) + {CN_OFFSET_US})"
# an offset after a space ("09:05:00 +0800", "01:05:00 Z"): DuckDB reads it only when attached
_ATTACHED_OFFSET = "regexp_replace({x}, ' +(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$', '\\1')"
# Excel's serial days since 1899-12-30 (a time column saved as “General”: 46329.3369444 is
# 2026-11-03 08:05:12, wall-clock time), read in 2000–2099 only (36526–73050), to the nearest second
_EXCEL_SERIAL = (
    "regexp_full_match({x}, '[3-7][0-9]{{4}}(\\.[0-9]*)?') "
    "AND CAST({x} AS DOUBLE) >= 36526 AND CAST({x} AS DOUBLE) < 73051"
)
_EXCEL_TIME = "TIMESTAMP '1899-12-30' + to_seconds(CAST(round(CAST({x} AS DOUBLE) * 86400) AS BIGINT))"
# a zone name still after the time (America/New_York, PST): not guessed, a bad_time
_ZONE_LEFT = "regexp_matches({x}, '[0-9] *[A-Za-z][A-Za-z_/]*$')"
_SLOW_TIME = (
    "CASE WHEN length({x}) = 10 AND regexp_full_match({x}, '[0-9]+') THEN "
    f"make_timestamp(CAST({{x}} AS BIGINT) * 1000000 + {CN_OFFSET_US}) "
    "WHEN length({x}) = 13 AND regexp_full_match({x}, '[0-9]+') THEN "
    f"make_timestamp(CAST({{x}} AS BIGINT) * 1000 + {CN_OFFSET_US}) "
    f"WHEN {_EPOCH_FLOAT % 10} THEN {_EPOCH_SCALED % 1e6} "
    f"WHEN {_EPOCH_FLOAT % 13} THEN {_EPOCH_SCALED % 1e3} "
    f"WHEN regexp_matches({{x}}, '{_AMPM}') THEN {_AMPM_SQL} "
    "WHEN length({x}) > 16 AND regexp_matches({x}, '[0-9] *(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') THEN "
    f"make_timestamp(epoch_us(TRY_CAST({_ATTACHED_OFFSET} AS TIMESTAMPTZ)) + {CN_OFFSET_US}) "
    f"WHEN {_DAY_LAST} THEN {_DAY_LAST_SQL} "
    f"WHEN {_EXCEL_SERIAL} THEN {_EXCEL_TIME} "
    f"WHEN {_ZONE_LEFT} THEN NULL "
    f"ELSE coalesce(TRY_CAST({{x}} AS TIMESTAMP), try_strptime({{x}}, [{TIME_FORMATS}])) END"
)
# before the less common shapes: full-width digits folded (２０２６-１１-２８ ０９：０５), a Chinese date and
# clock as digits and colons (2026年11月28日9时5分0秒 → 2026-11-28 9:5:0; 年月日 alone are read as formats)
_FULL_TIME = "０１２３４５６７８９：－／．　"
_HALF_TIME = "0123456789:-/. "
_CN_DATE = "([0-9]{{4}})年([0-9]{{1,2}})月([0-9]{{1,2}})日 *([0-9])"
_TIME_TEXT = (
    "regexp_replace(regexp_replace(regexp_replace(regexp_replace(trim(translate({x}, "
    f"'{_FULL_TIME}', '{_HALF_TIME}')), '{_CN_DATE}', "
    "'\\1-\\2-\\3 \\4'), '([0-9]) *[时点] *([0-9])', '\\1:\\2'), '([0-9]) *分 *([0-9])', '\\1:\\2'), "
    "'([0-9]:[0-9]{{1,2}}) *[分秒]$', '\\1')"
)
# a zone named after the time becomes the offset the offset branch reads: UTC / GMT (maybe with an offset:
# GMT+8, UTC-05:00) and China's names (CST as a Chinese system's Java Date prints it, Asia/Shanghai …);
# DuckDB's TIMESTAMP cast would drop any zone name and read the time as China time. Other names: _ZONE_LEFT
_ZONE_AS_OFFSET = (
    ("(?i) *(?:UTC|GMT) *([+-])([0-9])(:?[0-9]{{2}})?$", "\\10\\2\\3"),
    ("(?i) *(?:UTC|GMT) *([+-][0-9]{{2}}(?::?[0-9]{{2}})?)$", "\\1"),
    ("(?i) *(?:UTC|GMT)$", "Z"),
    ("(?i) *(?:CST|Asia/Shanghai|Asia/Chongqing|Asia/Harbin|PRC)$", "+08:00"),
)
for _zone, _offset in _ZONE_AS_OFFSET:
    _TIME_TEXT = f"regexp_replace({_TIME_TEXT}, '{_zone}', '{_offset}')"
TIME_SQL = (
    "CASE WHEN {x} IS NULL THEN NULL "
    f"WHEN {_PLAIN_TIME} AND TRY_CAST({{x}} AS TIMESTAMP) IS NOT NULL THEN TRY_CAST({{x}} AS TIMESTAMP) "
    f"ELSE list_transform([{_TIME_TEXT}], lambda _tm: {_SLOW_TIME.replace('{x}', '_tm')})[1] END"
)
# a DATE column is read as text: its values are then dates without a time of day (DATE_ONLY below)
TIME_TYPES = frozenset({"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"})
TZ_TYPES = frozenset({"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"})
NUMBER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "DOUBLE"}
)

# a time that is only a date (2026-11-28, 2026/11/28, 2026年11月28日, 28.11.2026): it has a day but no hour
_DATE_ONLY = (
    "[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?|[0-9]{8}|[0-9]{1,2}[/.][0-9]{1,2}[/.][0-9]{4}"
    "|[3-7][0-9]{4}(\\.0*)?"  # a whole Excel serial (the parsed ones are in range)
)


def date_only_sql(x: str) -> str:
    """True when the time text ``x`` is a date without a time of day (cheap length test first)."""
    return f"(length({x}) <= 11 AND regexp_full_match({x}, '{_DATE_ONLY}'))"


_H = "(?:小时|小時|时|時|hours?|hrs?|h)"
_M = "(?:分钟|分鐘|分|minutes?|mins?|m)"
_S = "(?:秒钟|秒鐘|秒|seconds?|secs?|s)"
_N = "([0-9]+(?:\\.[0-9]+)?)"
_UNITS = f"^(?:{_N} ?{_H})? ?(?:{_N} ?{_M})? ?(?:{_N} ?{_S})?$"
_FULL_DIGITS, _HALF_DIGITS = "０１２３４５６７８９：．，＋－　", "0123456789:.,+- "
_GROUPED = "[+-]?[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?"  # 83,000 / 1,234.5 (12,34 is no number)


def plain_number_sql(x: str) -> str:
    """A plain number as DOUBLE — full-width digits folded, thousands separators in groups of three
    dropped (``８３０００``, ``83,000``, ``83，000``) — else NULL."""
    v = f"trim(translate({x}, '{_FULL_DIGITS}', '{_HALF_DIGITS}'))"
    return (
        f"CASE WHEN regexp_full_match({v}, '{_GROUPED}') THEN TRY_CAST(replace({v}, ',', '') AS DOUBLE) "
        f"ELSE TRY_CAST({v} AS DOUBLE) END"
    )


def _literal(text: str) -> str:
    """``text`` as an SQL string literal (its apostrophes doubled)."""
    return "'" + text.replace("'", "''") + "'"


# minutes and seconds marked as a stopwatch writes them: 1'23", 1′23″, 1’23”, 1'23'' (the marks folded to
# ' and "), 12'05 (the seconds' mark left out, as in 1:05), 1'; and 1分23 (秒 left out); seconds below 60
_MARKS, _MARKS_AS = "′’‘´＇″“”＂", "'" * 5 + '"' * 4
_MIN_SEC = r"""([0-9]+) ?(?:'|分钟|分鐘|分) ?(?:([0-9]{1,2}(?:\.[0-9]+)?) ?"?)?"""
_SEC_MARK = r'([0-9]+(?:\.[0-9]+)?) ?"'  # 83": seconds alone


def _min_sec(v: str) -> str:
    """Seconds of a _MIN_SEC duration text ``v``; NULL (a bad duration) when its seconds reach 60."""
    minutes = f"CAST(regexp_extract({v}, {_literal(_MIN_SEC)}, 1) AS DOUBLE)"
    seconds = f"coalesce(TRY_CAST(regexp_extract({v}, {_literal(_MIN_SEC)}, 2) AS DOUBLE), 0)"
    return f"CASE WHEN {seconds} < 60 THEN {minutes} * 60 + {seconds} END"


def _spelled_duration(v: str) -> str:
    """Seconds of a lower-cased, folded duration text ``v`` that is not a plain number (or NULL)."""
    parts = [f"coalesce(TRY_CAST(regexp_extract({v}, '{_UNITS}', {i}) AS DOUBLE), 0)" for i in (1, 2, 3)]
    clock = "^([0-9]+):([0-9]{1,2})(?::([0-9]{1,2}(?:\\.[0-9]+)?))?$"
    hms = [f"TRY_CAST(regexp_extract({v}, '{clock}', {i}) AS DOUBLE)" for i in (1, 2, 3)]
    return (
        f"CASE WHEN regexp_full_match({v}, '{_GROUPED}') THEN TRY_CAST(replace({v}, ',', '') AS DOUBLE) "
        f"WHEN TRY_CAST({v} AS DOUBLE) IS NOT NULL THEN TRY_CAST({v} AS DOUBLE) "
        f"WHEN regexp_matches({v}, '^[0-9]+:[0-9]{{1,2}}:[0-9]{{1,2}}(\\.[0-9]+)?$') "
        f"THEN {hms[0]} * 3600 + {hms[1]} * 60 + {hms[2]} "
        f"WHEN regexp_matches({v}, '^[0-9]+:[0-9]{{1,2}}$') THEN {hms[0]} * 60 + {hms[1]} "
        f"WHEN regexp_full_match({v}, {_literal(_MIN_SEC)}) THEN {_min_sec(v)} "
        f"WHEN regexp_full_match({v}, {_literal(_SEC_MARK)}) "
        f"THEN CAST(regexp_extract({v}, {_literal(_SEC_MARK)}, 1) AS DOUBLE) "
        f"WHEN regexp_matches({v}, '[0-9]') AND regexp_matches({v}, '{_UNITS}') "
        f"THEN {parts[0]} * 3600 + {parts[1]} * 60 + {parts[2]} END"
    )


def duration_sql(x: str) -> str:
    """Seconds from ``65``, ``65.0``, ``00:01:05``, ``1:05``, ``65秒``, ``65s``, ``1分5秒``, ``1h 2m 5s``,
    ``1,265`` (thousands separators), full-width digits (``１分５秒``). A plain number is read at once;
    the other spellings from the folded text (bound once)."""
    marks = f"{_literal(_FULL_DIGITS + _MARKS)}, {_literal(_HALF_DIGITS + _MARKS_AS)}"
    two_apostrophes = _literal("''")  # 1'23'' is 1'23"
    folded = f"lower(replace(trim(translate({x}, {marks})), {two_apostrophes}, '\"'))"
    return (
        f"CASE WHEN TRY_CAST({x} AS DOUBLE) IS NOT NULL THEN TRY_CAST({x} AS DOUBLE) "
        f"ELSE list_transform([{folded}], lambda _du: {_spelled_duration('_du')})[1] END"
    )


def _codes(*values: str) -> str:
    return ", ".join(f"'{v}'" for v in values)


# call direction: 1 outgoing, 2 incoming, 3 forwarded; 0: a 0/1 coding whose meaning is unknown
CALL_CODES: dict[int, tuple[str, ...]] = {
    1: ("1", "01", "1.0", "out", "outgoing", "mo", "moc", "主叫", "呼出", "去话", "主叫通话", "呼出通话"),
    2: ("2", "02", "2.0", "in", "incoming", "mt", "mtc", "被叫", "呼入", "来话", "被叫通话", "呼入通话"),
    3: ("3", "03", "3.0", "forward", "forwarded", "cfw", "呼转", "呼叫转移", "前转", "呼转通话"),
}
SMS_CODES: dict[int, tuple[str, ...]] = {
    1: ("1", "01", "1.0", "发送", "上行", "发", "mo", "sent", "send", "out", "outgoing", "主叫", "发出",
        "上行短信", "发送短信"),
    2: ("2", "02", "2.0", "接收", "下行", "收", "mt", "received", "recv", "in", "incoming", "被叫", "收到",
        "下行短信", "接收短信"),
}  # fmt: skip


# a direction word inside a qualified value (本地主叫, 漫游被叫, 呼叫前转, 未接来电), tried in this order
# after the exact codes: 主叫呼转 is forwarded, 国内长途 (a tariff class, no direction) stays unknown
CALL_WORDS: dict[int, tuple[str, ...]] = {
    3: ("呼转", "前转", "转移", "转接"),
    1: ("主叫", "呼出", "去话", "去电", "拨出"),
    2: ("被叫", "呼入", "来话", "来电", "接听"),
}
SMS_WORDS: dict[int, tuple[str, ...]] = {1: ("发送", "上行", "发出"), 2: ("接收", "下行", "收到")}


def _code_sql(codes: dict[int, tuple[str, ...]], words: dict[int, tuple[str, ...]], extra: str = "") -> str:
    whens = " ".join(f"WHEN lower(trim({{x}})) IN ({_codes(*v)}) THEN {k}" for k, v in codes.items())
    inside = " ".join(f"WHEN regexp_matches({{x}}, '{'|'.join(v)}') THEN {k}" for k, v in words.items())
    return f"CASE {whens} {extra}{inside} ELSE NULL END"


CALL_TYPE_SQL = _code_sql(CALL_CODES, CALL_WORDS, "WHEN {x} = '?0/1' THEN 0 ")
SMS_TYPE_SQL = _code_sql(SMS_CODES, SMS_WORDS)
ZERO_ONE = frozenset({"0", "00", "0.0", "1", "01", "1.0"})
AMBIGUOUS = "'?0/1'"


def ambiguous_zero_one(con: duckdb.DuckDBPyConnection, src: str, col: str, sample: int = 100_000) -> bool:
    """True when a call-type column (sampled) is coded 0/1 without 2: 0 = 主叫 or 1 = 主叫 is unknowable."""
    rows = con.execute(
        f"SELECT DISTINCT lower(trim(CAST({col} AS VARCHAR))) FROM (SELECT {col} FROM {src} LIMIT {sample}) s"
    ).fetchall()
    seen = {r[0] for r in rows if r[0]}
    return bool(seen & {"0", "00", "0.0"}) and not seen & {"2", "02", "2.0"}


def call_type_raw(col: str, ambiguous: bool, zero_outgoing: bool | None = None) -> str:
    """The type column as text; a 0/1 coding becomes ``'?0/1'`` (unknown), or ``1``/``2`` when
    ``zero_outgoing`` says which code is 主叫 (pair_reading)."""
    text = f"CAST({col} AS VARCHAR)"
    if zero_outgoing is not None:
        zero, one = ("'1'", "'2'") if zero_outgoing else ("'2'", "'1'")
        return (
            f"CASE WHEN trim({text}) IN ({_codes(*ZERO)}) THEN {zero} "
            f"WHEN trim({text}) IN ({_codes(*ONE)}) THEN {one} ELSE {text} END"
        )
    if not ambiguous:
        return text
    return f"CASE WHEN trim({text}) IN ({_codes(*sorted(ZERO_ONE))}) THEN {AMBIGUOUS} ELSE {text} END"


ZERO, ONE = ("0", "00", "0.0"), ("1", "01", "1.0")


@dataclass
class PairReading:
    """Whose record each row of a file with 主叫号码 / 被叫号码 beside a call type is (pair_reading)."""

    forwarded_by_callee: bool = False  # 呼转 records list the original call: the subscriber is the callee
    zero_outgoing: bool | None = None  # a 0/1 coding: True 0 = 主叫, False 1 = 主叫, None unknown


def paired_columns(cols: Cols, c: dict[str, str]) -> tuple[str, str] | None:
    """The caller and callee columns when a subscriber-view file names its numbers 主叫 / 被叫."""
    caller, callee = pick(cols, "caller"), pick(cols, "callee")
    if caller is None or callee is None or caller == callee or c["opposite"] != callee:
        return None
    return caller, callee


def pair_reading(
    con: duckdb.DuckDBPyConnection,
    src: str,
    cols: Cols,
    c: dict[str, str],
    ambiguous: bool,
    sample: int = 100_000,
) -> PairReading:
    """Read from the records themselves which side is the subscriber where the type does not say it.

    * 呼转 (forwarded) records: the forwarding leg is billed to the subscriber as a call it places
      (主叫 = the subscriber, 被叫 = the forwarded-to number), but many extracts list the original call
      (主叫 = whoever called, 被叫 = the subscriber). The side holding the file's subscribers — the
      主叫号码 of its 主叫 records and the 被叫号码 of its 被叫 records — is taken; the caller when in doubt.
    * a 0/1 coding (no 2): a subscriber appears in many records, its counterparts in few; 0 = 主叫 when
      the 主叫号码 of the 0 records and the 被叫号码 of the 1 records are at most half as many distinct
      numbers as the other way round (1 = 主叫 likewise), else unknown.
    Sampled (the first ``sample`` rows), numbers compared as written."""
    pair = paired_columns(cols, c)
    if pair is None:
        return PairReading()
    a, b = (f"trim(CAST({x} AS VARCHAR))" for x in pair)
    r = f"lower(trim(CAST({c['call_type']} AS VARCHAR)))"
    zero, one = _codes(*ZERO), _codes(*ONE)
    sides = "(SELECT count(n) FROM (SELECT {} AS n FROM s WHERE r IN (" + zero + ") "
    sides += "UNION SELECT {} FROM s WHERE r IN (" + one + ")))"
    sql = f"""WITH s AS (SELECT {a} AS a, {b} AS b, {r} AS r, {CALL_TYPE_SQL.format(x=r)} AS k
      FROM (SELECT * FROM {src} LIMIT {sample}) x),
    known AS (SELECT a AS n FROM s WHERE k = 1 UNION SELECT b FROM s WHERE k = 2)
    SELECT (SELECT count(*) FROM s WHERE k = 3 AND a IN (SELECT n FROM known)),
      (SELECT count(*) FROM s WHERE k = 3 AND b IN (SELECT n FROM known)),
      {sides.format("a", "b")}, {sides.format("b", "a")}"""
    fwd_caller, fwd_callee, zero_out, one_out = con.execute(sql).fetchall()[0]
    zero_outgoing = None
    if ambiguous and zero_out > 0 and 2 * zero_out <= one_out:
        zero_outgoing = True
    elif ambiguous and one_out > 0 and 2 * one_out <= zero_out:
        zero_outgoing = False
    return PairReading(fwd_callee > fwd_caller, zero_outgoing)


def subscriber_sides(
    source: Path, cols: Cols, c: dict[str, str], direction: str, notes: list[str], by_callee: bool = False
) -> tuple[str, str]:
    """The number and its counterpart of a subscriber-view call or SMS record (``direction``: SQL giving
    2 for an incoming one). Columns named 主叫号码 / 被叫号码 (caller / callee) beside a type column hold
    the caller and the callee whatever the direction: in an incoming record the subscriber is the
    callee and the counterpart the caller — so in a forwarded (3) one when ``by_callee``
    (PairReading.forwarded_by_callee). Beside a separate subscriber column (用户号码) the counterpart is
    the one of the two that is not the subscriber, else read by the direction."""
    pair = paired_columns(cols, c)
    ph, op = number_text(cols, c["phone"]), number_text(cols, c["opposite"])
    if pair is None:
        return ph, op
    caller, callee = pair
    a, b = number_text(cols, caller), number_text(cols, callee)
    incoming = f"({direction}) IN (2, 3)" if by_callee else f"({direction}) = 2"
    if by_callee:
        notes.append(
            f"{source}：呼转记录的被叫号码是本机号码（与主叫、被叫记录的本机号码一致）：呼转记录以被叫号码为"
            "本机号码、主叫号码为对端号码"
        )
    notes.append(
        f"{source}：有主叫号码、被叫号码两列和类型列：被叫（呼入、接收）记录以被叫号码为本机号码、"
        "主叫号码为对端号码"
    )
    counterpart = f"CASE WHEN {incoming} THEN {a} ELSE {b} END"
    if c["phone"] == caller:
        return f"CASE WHEN {incoming} THEN {b} ELSE {a} END", counterpart
    same = f"trim({ph}) = trim({{}})"
    return ph, f"CASE WHEN {same.format(b)} THEN {a} WHEN {same.format(a)} THEN {b} ELSE {counterpart} END"


# ---------------------------------------------------------------- typed columns


def typed(cols: Cols, quoted: str) -> str:
    """The DuckDB type of a quoted column (VARCHAR for a CSV)."""
    return cols.types.get(quoted[1:-1].replace('""', '"'), "VARCHAR")


# a date column and a time column saved from Excel as “General”: the date is a whole serial day
# (46354 = 2026-11-28), the time of day a fraction of one (0.3958333 = 09:30:00)
_SERIAL_DAY = (
    "regexp_full_match({x}, '[3-7][0-9]{{4}}(\\.0*)?') AND TRY_CAST({x} AS DOUBLE) BETWEEN 36526 AND 73050"
)
_DAY_FRACTION = "regexp_full_match({x}, '0|0?\\.[0-9]+')"


def excel_date_sql(d: str) -> str:
    """A date column's text with an Excel serial day written as the date (``46354`` → ``2026-11-28``)."""
    serial = f"DATE '1899-12-30' + CAST(CAST({d} AS DOUBLE) AS INTEGER)"
    return f"CASE WHEN {_SERIAL_DAY.format(x=d)} THEN strftime({serial}, '%Y-%m-%d') ELSE {d} END"


def excel_clock_sql(t: str) -> str:
    """A time-of-day column's text with an Excel fraction of a day written as a clock
    (``0.3958333`` → ``09:30:00``, to the nearest second)."""
    seconds = f"least(CAST(round(CAST({t} AS DOUBLE) * 86400) AS BIGINT), 86399)"
    clock = f"strftime(TIMESTAMP '2000-01-01' + to_seconds({seconds}), '%H:%M:%S')"
    return f"CASE WHEN {_DAY_FRACTION.format(x=t)} THEN {clock} ELSE {t} END"


def time_cols(cols: Cols, c: str) -> str:
    """``t_raw`` (text, parsed in the cleaning step) and ``ts0`` (a typed time column as it is).

    A separate date column (通话日期 beside 通话时间) is put in front of a time of day (``09:05:03``,
    ``9时5分``, ``090503``); a time column that holds the whole moment is read as it is; a DATE column is
    read as text (dates without hours)."""
    day = pick(cols, "date")
    if day is not None and day != c:
        t, d = f"trim(CAST({c} AS VARCHAR))", excel_date_sql(f"trim(CAST({day} AS VARCHAR))")
        t = excel_clock_sql(t)
        clock = f"regexp_matches(coalesce({t}, ''), '^[0-9]{{1,2}}[:时点]')"
        # 090503, or 90503 (a number column dropped the leading 0)
        hhmmss = f"regexp_full_match({t}, '[0-9]{{5,6}}')"
        six = f"lpad({t}, 6, '0')"
        colons = f"substr({six}, 1, 2) || ':' || substr({six}, 3, 2) || ':' || substr({six}, 5, 2)"
        joined = (
            f"CASE WHEN {hhmmss} THEN {d} || ' ' || {colons} "
            f"WHEN {t} IS NULL OR {clock} THEN {d} || ' ' || coalesce({t}, '') ELSE {t} END"
        )
        return f"{text_sql(joined)} AS t_raw, CAST(NULL AS TIMESTAMP) AS ts0"
    kind = typed(cols, c)
    if kind in TIME_TYPES:
        return f"CAST(NULL AS VARCHAR) AS t_raw, CAST({c} AS TIMESTAMP) AS ts0"
    if kind in TZ_TYPES:  # an instant: China time (UTC+8), whatever the session's zone
        return f"CAST(NULL AS VARCHAR) AS t_raw, make_timestamp(epoch_us({c}) + 28800000000) AS ts0"
    return f"{text_sql(f'CAST({c} AS VARCHAR)')} AS t_raw, CAST(NULL AS TIMESTAMP) AS ts0"


def duration_cols(cols: Cols, c: str, scale: str = "") -> str:
    """``dur_raw`` (text, parsed in the cleaning step) and ``dur0`` (a numeric column as it is).

    ``scale`` (header_unit): ``"/ 1000"`` for milliseconds, ``"* 60"`` for minutes — applied to plain
    numbers; a value with its own unit (``00:01:23``, ``83秒``) is read as it says. ``nan`` (text, or a
    number column's NaN) is a blank; ``inf`` is kept, to be rejected with its record (nonfinite_durations)."""
    if typed(cols, c) in NUMBER_TYPES:
        value = f"CAST({c} AS DOUBLE)"
        dur0 = f"(CASE WHEN isnan({value}) THEN NULL ELSE {value} END {scale})"
        return f"CAST(NULL AS VARCHAR) AS dur_raw, {dur0} AS dur0"
    text = text_sql(f"CAST({c} AS VARCHAR)")
    dur0 = f"({plain_number_sql(text)} {scale})" if scale else "CAST(NULL AS DOUBLE)"
    return f"{text} AS dur_raw, {dur0} AS dur0"


# units in a header's brackets (通话时长(毫秒), 流量(KB), 消费金额(分)) → the operation giving seconds, MB,
# yuan; "" for the unit itself
UNITS: dict[str, tuple[str, dict[str, str]]] = {
    "duration": ("秒", {
        **dict.fromkeys(("秒", "秒钟", "s", "sec", "secs", "second", "seconds"), ""),
        **dict.fromkeys(("毫秒", "ms", "millisecond", "milliseconds"), "/ 1000"),
        **dict.fromkeys(("分", "分钟", "min", "mins", "minute", "minutes"), "* 60"),
        **dict.fromkeys(("小时", "时", "h", "hr", "hour", "hours"), "* 3600"),
    }),
    "flow": ("MB", {
        **dict.fromkeys(("mb", "m", "兆", "兆字节", "mbyte", "mbytes"), ""),
        **dict.fromkeys(("kb", "k", "千字节", "kbyte", "kbytes"), "/ 1024"),
        **dict.fromkeys(("gb", "g", "gbyte", "gbytes"), "* 1024"),
        **dict.fromkeys(("b", "byte", "bytes", "字节"), "/ 1048576"),
    }),
    "arpu": ("元", {
        **dict.fromkeys(("元", "yuan", "rmb", "cny", "¥", "￥", "人民币"), ""),
        **dict.fromkeys(("分", "fen"), "/ 100"),
        **dict.fromkeys(("角",), "/ 10"),
    }),
}  # fmt: skip


def header_unit(source: Path, cols: Cols, quoted: str, role: str, notes: list[str]) -> str:
    """The operation turning the column's values into the role's unit (UNITS), from the unit its header
    names in brackets; a conversion or an unknown unit (read as the role's unit) is noted."""
    name = quoted[1:-1].replace('""', '"')
    found = _UNIT.findall(name)
    if not found:
        return ""
    unit = re.sub(r"^单位[:：]?|\s", "", found[-1][1:-1])
    base, ops = UNITS[role]
    op = ops.get(unit.lower())
    if op is None:
        notes.append(f"{source}：列“{name}”的单位“{unit}”无法识别，按{base}读取")
        return ""
    if op:
        notes.append(f"{source}：列“{name}”以{unit}为单位，已换算为{base}")
    return op


def scaled_text(x: str, scale: str) -> str:
    """A text amount (flow, spending) in the role's unit: a plain number (thousands separators allowed)
    gets ``scale``; a value with its own unit (``1GB``, ``58元``) is left to say it."""
    if not scale:
        return x
    bare = f"TRY_CAST(regexp_replace({x}, '[,，\\s]', '', 'g') AS DOUBLE)"
    return f"CASE WHEN {bare} IS NOT NULL THEN CAST({bare} {scale} AS VARCHAR) ELSE {x} END"


# 9–11 digits not starting with 1 (not a mobile; 400 / 800 service numbers excepted): a landline whose
# trunk 0 an integer (or float) column dropped — 0571-88886666 stored as 57188886666
_TRUNK_LOST = (
    "(({n} >= 2e8 AND {n} < 1e9) OR ({n} >= 2e9 AND {n} < 1e10) OR ({n} >= 2e10 AND {n} < 1e11)) "
    "AND NOT ({n} >= 4e9 AND {n} < 4.01e9) AND NOT ({n} >= 8e9 AND {n} < 8.01e9) AND {n} = floor({n})"
)


def number_text(cols: Cols, c: str) -> str:
    """A number column as text; a numeric column's landlines get back the trunk 0 the type dropped.

    Only numeric columns: in a text column ``57188886666`` is taken as written."""
    kind = typed(cols, c)
    if kind not in NUMBER_TYPES and kind not in ("HUGEINT", "UHUGEINT") and not kind.startswith("DECIMAL"):
        return f"CAST({c} AS VARCHAR)"
    n = f"CAST({c} AS DOUBLE)"  # exact for integers below 2^53
    lost = _TRUNK_LOST.format(n=n)
    return f"CASE WHEN {lost} THEN '0' || CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"


# ---------------------------------------------------------------- numbers

_FULL = "０１２３４５６７８９＋－（）＊　"
_HALF = "0123456789+-()* "
MARKERS = ("NULL", "null", "Null", "\\N", "NA", "na", "N/A", "n/a", "#N/A", "None", "none", "NONE", "NaN",
           "nan", "NAN", "nil", "NIL")  # fmt: skip
_SCI = "^\\+?([0-9]+)\\.?([0-9]*)[eE]\\+([0-9]+)$"


def fast_number(x: str) -> str:
    """Already a plain 11-digit mobile number (most rows): no further work."""
    return f"(length({x}) = 11 AND regexp_full_match({x}, '1[0-9]{{10}}'))"


def number_pre_sql(x: str, ok: str | None = None) -> str:
    """Step 1 (text in): full-width folded, trimmed, a VoLTE (IMS) URI's scheme and domain dropped
    (``tel:+86…``, ``sip:+86…@ims…;user=phone``), ``.0`` of an integral float dropped; blank → NULL.

    ``ok``: an expression telling that ``x`` is already a plain mobile number (default: fast_number(x)).
    """
    t = f"trim(translate({x}, '{_FULL}', '{_HALF}'))"
    uri = f"trim(regexp_replace(regexp_replace({t}, '^(tel|sips?):', '', 'i'), '[@;].*$', ''))"
    t = f"CASE WHEN contains({t}, ':') THEN {uri} ELSE {t} END"
    t = f"regexp_replace({t}, '^(\\+?[0-9]+)\\.0+$', '\\1')"
    return f"CASE WHEN {ok or fast_number(x)} THEN {x} ELSE nullif({t}, '') END"


def _sci_frac(v: str) -> str:
    return f"regexp_extract({v}, '{_SCI}', 2)"


def _sci_exp(v: str) -> str:
    return f"TRY_CAST(regexp_extract({v}, '{_SCI}', 3) AS INTEGER)"


# what no number is written with: a time's colon, a list's separators, a slash, Chinese text (a time or
# a duration in a shifted row, two numbers in one cell, 83秒) — their digits run together would make a
# counterpart that exists nowhere (a VoLTE URI has lost its scheme and parameters in step 1)
_NOT_A_NUMBER = "[:;,/、，；]|[^\\t -~]"


# IP long-distance access codes dialled before a number (China Mobile 17951 / 12593, Unicom 17911 /
# 10193, Telecom 17909 / 17908, Netcom 11808 …): the call is to the number after them
IP_PREFIXES = ("17951", "12593", "17911", "10193", "17909", "17908", "11808", "17969", "96688")


# a number with digits hidden: 138****8000, 138####8000, 138●●●●8000, 138???8000 (a mask glyph lost to
# an encoding), 138___8000 / 138---8000 / 138...8000 (a run of separators where digits were) …
_MASKED = "[*#?？●•○◦×※]|[0-9](-{3,}|_{3,}|[.]{3,})[0-9]"
# … or 138xxxx8000, 1380013XXXX, XXXXXXX8000: x's in a value of digits (a hashed id has no run of x)
_MASKED_X = "[0-9 +-]*([xX]{2,}[0-9 +-]*)+"


def number_issue_sql(v: str, ok: str | None = None) -> str:
    """Step 2 (output of step 1): why a value is not a usable number, or NULL.

    1 masked (``138****5678``, ``138xxxx5678``, ``1380013XXXX``, ``138####5678``), 2 lossy (scientific
    notation missing digits), 3 unusable (a NULL marker, no digits — also a word a switch writes for a
    withheld caller, ``anonymous``, ``unknown``: a hashed id has digits —, a character no number is
    written with: ``2026-11-03 08:05:00``, ``138…;139…``, ``83秒``).
    """
    return (
        f"CASE WHEN {v} IS NULL OR {ok or fast_number(v)} THEN NULL "
        f"WHEN upper({v}) IN ({_codes(*MARKERS)}) THEN 3 "
        f"WHEN regexp_matches({v}, '{_MASKED}') OR regexp_full_match({v}, '{_MASKED_X}') THEN 1 "
        f"WHEN regexp_matches({v}, '{_SCI}') THEN CASE WHEN length({_sci_frac(v)}) = {_sci_exp(v)} "
        f"THEN NULL WHEN length({_sci_frac(v)}) < {_sci_exp(v)} THEN 2 ELSE 3 END "
        f"WHEN regexp_matches({v}, '{_NOT_A_NUMBER}') THEN 3 "
        f"WHEN NOT regexp_matches({v}, '[0-9]') THEN 3 "
        f"WHEN regexp_matches({v}, '[A-Za-z]') THEN NULL "
        f"WHEN {spaced_apart_sql(v)} THEN 3 ELSE NULL END"
    )


# digit groups apart by spaces are joined only in the usual groupings of one whole number: a mobile
# 3-4-4 or 3-8 (138 0013 8000), a landline's area code then its local number (0571 8888 8888,
# (010) 8888-8888), a 400/800 number 3-3-4, each maybe after +86 / 0086 / 86 (where a landline may lack
# its trunk 0) or an IP-dialling prefix (12593 138…); a number abroad after + / 00 in groups. Anything
# else — 138    8000, two fields merged by a shifted column, two numbers in one cell — is no number.
_SEP = r"[-\s]+"
_MOBILE = rf"1[3-9][0-9](?:[0-9]{{8}}|{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}|{_SEP}[0-9]{{8}})"
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"
_LOCAL = rf"(?:[0-9]{{7,8}}|[0-9]{{3,4}}{_SEP}[0-9]{{4}})"
_LANDLINE = rf"\(?0{_AREA}\)?[-\s]*{_LOCAL}"
_SERVICE = (  # 400 810 8888, 4008 108 888
    rf"[48]00(?:[0-9]{{7}}|{_SEP}[0-9]{{3}}{_SEP}[0-9]{{4}}|{_SEP}[0-9]{{7}}"
    rf"|[0-9]{_SEP}[0-9]{{3}}{_SEP}[0-9]{{3}})"
)
_COUNTRY = r"(?:[1-79][0-9]{0,2}|8|8[0-57-9][0-9]?)"  # a country code other than 86
_ABROAD = rf"(?:\+|00){_COUNTRY}(?:{_SEP}[0-9]{{1,12}})+"
_GROUPED_NUMBER = (
    rf"(?:(?:\+|00)?86[-\s]*(?:{_MOBILE}|{_LANDLINE}|\(?{_AREA}\)?[-\s]*{_LOCAL}|{_SERVICE})"
    rf"|(?:(?:{'|'.join(IP_PREFIXES)}){_SEP})?(?:{_MOBILE}|{_LANDLINE}|{_SERVICE})|{_ABROAD})"
)
_SPACED = r"[0-9][-\s()]*\s[-\s()]*[0-9]"


def spaced_apart_sql(v: str) -> str:
    """True when the number text ``v`` has digit groups apart by spaces that are not the usual grouping
    of one whole number (_GROUPED_NUMBER): joined, they would make a number that exists nowhere."""
    return f"(regexp_matches({v}, '{_SPACED}') AND NOT regexp_full_match({v}, '{_GROUPED_NUMBER}'))"


def _national(n: str) -> str:
    """A number after its +86 / 0086 / 86: a landline given without its trunk 0 gets it back."""
    return (
        f"CASE WHEN regexp_matches({n}, '^[1-9][0-9]{{8,10}}$') AND NOT regexp_matches({n}, "
        f"'^1[3-9][0-9]{{9}}$') THEN '0' || {n} ELSE {_domestic(n)} END"
    )


_IP = "|".join(IP_PREFIXES)
# an IP prefix, then a mobile (maybe after the trunk 0, as dialled from another area) or a landline
_IP_DIALLED = f"^(?:{_IP})0?(1[3-9][0-9]{{9}})$|^(?:{_IP})(0[1-9][0-9]{{8,10}})$"


def _domestic(d: str) -> str:
    """Digits of a domestic number: an IP prefix before a mobile (maybe dialled with the trunk ``0``:
    ``17951 0 138…``) or a landline dropped, and a ``0`` before a mobile number."""
    return (
        f"CASE WHEN regexp_matches({d}, '^01[3-9][0-9]{{9}}$') THEN substr({d}, 2) "
        f"WHEN regexp_matches({d}, '{_IP_DIALLED}') THEN regexp_extract({d}, '{_IP_DIALLED}', 1) "
        f"|| regexp_extract({d}, '{_IP_DIALLED}', 2) ELSE {d} END"
    )


def number_sql(v: str, issue: str, ok: str | None = None) -> str:
    """Step 3: the normalised number (hashed ids with letters kept, lower-cased), NULL when unusable.

    Digits lose separators; +86 / 0086 / 86 (with 13 digits or followed by a separator) are dropped
    and a landline gets its trunk 0; other country codes are kept as ``00…`` (``+855 …`` →
    ``00855…``), never confused with a domestic area code; a ``0`` before a mobile number is dropped.
    """
    sci = f"regexp_extract({v}, '{_SCI}', 1) || {_sci_frac(v)}"
    d = f"regexp_replace(CASE WHEN regexp_matches({v}, '{_SCI}') THEN {sci} ELSE {v} END, '[^0-9]', '', 'g')"
    cn = (
        f"starts_with({v}, '+86') OR starts_with({d}, '0086') OR (starts_with({d}, '86') AND "
        f"(length({d}) = 13 OR regexp_matches({v}, '^86[^0-9]')))"
    )
    strip = f"CASE WHEN starts_with({d}, '0086') THEN substr({d}, 5) ELSE substr({d}, 3) END"
    return (
        f"CASE WHEN {v} IS NULL OR {issue} IS NOT NULL THEN NULL WHEN {ok or fast_number(v)} THEN {v} "
        f"WHEN regexp_matches({v}, '[A-Za-z]') AND NOT regexp_matches({v}, '{_SCI}') THEN lower({v}) "
        f"WHEN {cn} THEN {_national(strip)} "
        f"WHEN starts_with({v}, '+') THEN '00' || {d} "
        f"ELSE {_domestic(d)} END"
    )


_MARKER_RE = " *(" + "|".join(m.replace("\\", "\\\\") for m in MARKERS) + ") *"


def amount_sql(x: str) -> str:
    """A spending amount in yuan: ``58``, ``58.00元``, ``¥58``, ``1,024.5``, ``RMB 58`` (else NULL)."""
    return f"TRY_CAST(regexp_replace({x}, '[,，\\s¥￥元]|RMB|CNY', '', 'gi') AS DOUBLE)"


def flow_sql(x: str) -> str:
    """App traffic in MB: ``1,024.5``, ``300MB``, ``1.5GB`` (× 1024), ``512KB`` (÷ 1024) (else NULL)."""
    bare = f"regexp_replace({x}, '[,，\\s]', '', 'g')"
    number = f"TRY_CAST(regexp_replace({bare}, '[a-zA-Z]+$', '') AS DOUBLE)"
    return (
        f"CASE WHEN regexp_matches({bare}, '[0-9.][gG][bB]?$') THEN {number} * 1024 "
        f"WHEN regexp_matches({bare}, '[0-9.][kK][bB]?$') THEN {number} / 1024 "
        f"WHEN regexp_matches({bare}, '[0-9.]([mM][bB]?)?$') THEN {number} END"
    )


def text_sql(x: str) -> str:
    """An optional text attribute: trimmed; blank and NULL markers (NULL, \\N, NA …) → NULL."""
    return f"CASE WHEN regexp_full_match({x}, '{_MARKER_RE}') THEN NULL ELSE nullif(trim({x}), '') END"


_MONTH = "^([0-9]{4})[-/.年]?([0-9]{1,2})月?(?:[-/.]?[0-9]{1,2}日?)?$"


def month_sql(x: str) -> str:
    """A month (traffic, spending) as ``2026-11`` however written — ``202611``, ``2026-11``, ``2026/11``,
    ``2026年11月``, a date in it — so files from different systems name a month alike; other text as it is
    (``text_sql``: blank and NULL markers missing)."""
    t = text_sql(x)
    month = f"TRY_CAST(regexp_extract({t}, '{_MONTH}', 2) AS INTEGER)"
    year = f"regexp_extract({t}, '{_MONTH}', 1)"
    return (
        f"CASE WHEN regexp_full_match({t}, '{_MONTH}') AND {month} BETWEEN 1 AND 12 "
        f"THEN {year} || '-' || lpad(CAST({month} AS VARCHAR), 2, '0') ELSE {t} END"
    )


def imei_sql(x: str) -> str:
    """A handset id (IMEI) as text: a float column's ``.0`` dropped, Excel's ``8.61234567890123E+14``
    expanded when all digits are there; NULL when Excel kept too few (``8.61235E+14`` stands for many
    handsets: imei_lossy_sql counts them). Other values as text_sql reads them."""
    t, v = text_sql(x), f"trim({x})"
    return (
        f"CASE WHEN NOT (contains({x}, '.') OR contains({x}, '+')) THEN {t} "
        f"WHEN regexp_matches({v}, '{_SCI}') THEN CASE WHEN length({_sci_frac(v)}) = {_sci_exp(v)} "
        f"THEN regexp_extract({v}, '{_SCI}', 1) || {_sci_frac(v)} END "
        f"WHEN regexp_full_match({v}, '[0-9]+\\.0+') THEN split_part({v}, '.', 1) ELSE {t} END"
    )


def imei_lossy_sql(x: str) -> str:
    """True when the handset id ``x`` is in scientific notation without all its digits."""
    v = f"trim({x})"
    return (
        f"coalesce(contains({x}, '+') AND regexp_matches({v}, '{_SCI}') "
        f"AND length({_sci_frac(v)}) <> {_sci_exp(v)}, false)"
    )
