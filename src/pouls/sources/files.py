"""File import: JSONL or CSV read once, in batches, resumable where it stopped.

The cursor is the byte offset after the last line of the batch (JSONL) or the number of rows
read (CSV), so a killed import starts again at the first batch that was not committed.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import msgspec

from pouls.signals import Batch, DeadLetter, Signal, utcnow
from pouls.sources.records import Defaults, InvalidRecord, convert, decode_json, to_signal


class FileSource:
    """Source reading a JSONL or CSV file from its cursor to its end."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        path: Path,
        format: str | None = None,
        mapping: Mapping[str, str] | None = None,
        channel: str = "import",
        kind: str = "post",
        visibility: str = "public",
        batch_size: int = 500,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.name = name
        self.workspace = workspace
        self.path = path
        self.format = format or guess_format(path)
        self.mapping = dict(mapping or {})
        self.defaults = Defaults(
            workspace=workspace, source=name, channel=channel, kind=kind, visibility=visibility
        )
        self.batch_size = batch_size
        self.on_progress = on_progress

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Yield batches from the cursor on; the last one carries the cursor of the file's end."""
        start = int(cursor or 0)
        if self.format == "jsonl" and start > self.path.stat().st_size:
            start = 0  # the file was replaced by a shorter one: read the new one whole
        read = self._jsonl if self.format == "jsonl" else self._csv
        for batch in read(start):
            yield batch

    def _jsonl(self, start: int) -> Iterator[Batch]:
        batch = Batch(cursor=str(start))
        offset = start
        with self.path.open("rb") as f:
            f.seek(start)
            line_no = _count_lines(self.path, start)
            for line in f:
                line_no += 1
                offset += len(line)
                self._add(batch, line_no, line)
                if len(batch.signals) + len(batch.dead_letters) >= self.batch_size:
                    batch.cursor = str(offset)
                    yield batch
                    if self.on_progress:
                        self.on_progress(offset)
                    batch = Batch()
        batch.cursor = str(offset)
        yield batch
        if self.on_progress:
            self.on_progress(offset)

    def _add(self, batch: Batch, line_no: int, line: bytes) -> None:
        stripped = line.strip()
        if not stripped:
            return
        try:
            try:
                stripped.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidRecord(
                    f"not UTF-8 (byte 0x{stripped[exc.start]:02x} at position {exc.start});"
                    " re-save the file as UTF-8"
                ) from None
            signal = self._normalise_json(stripped)
        except InvalidRecord as exc:
            batch.dead_letters.append(self._dead(line_no, f"line {line_no}: {exc}", stripped))
            return
        batch.signals.append(signal)

    def _normalise_json(self, line: bytes) -> Signal:
        if self.mapping:
            try:
                data = msgspec.json.decode(line)
            except msgspec.DecodeError as exc:
                raise InvalidRecord(f"not valid JSON ({exc})") from None
            if not isinstance(data, dict):
                raise InvalidRecord(f"expected a JSON object, got {type(data).__name__}")
            record = convert(data, self.mapping)
        else:
            record = decode_json(line)
        return to_signal(record, self.defaults, utcnow())

    def _csv(self, start: int) -> Iterator[Batch]:
        # surrogateescape keeps undecodable bytes visible per row instead of failing the file.
        with self.path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                yield Batch(cursor=str(start))
                return
            header = [h.strip() for h in header]
            check_csv_header(header, self.mapping, self.path)
            batch, rows = Batch(), 0
            for row in reader:
                rows += 1
                if rows <= start:
                    continue
                self._add_row(batch, header, row, reader.line_num)
                if len(batch.signals) + len(batch.dead_letters) >= self.batch_size:
                    batch.cursor = str(rows)
                    yield batch
                    if self.on_progress:
                        self.on_progress(f.tell())
                    batch = Batch()
            batch.cursor = str(max(rows, start))
            yield batch
            if self.on_progress:
                self.on_progress(self.path.stat().st_size)

    def _add_row(self, batch: Batch, header: list[str], row: list[str], line_no: int) -> None:
        raw = ",".join(row)
        try:
            if len(row) != len(header):
                raise InvalidRecord(f"{len(row)} columns where the header has {len(header)}")
            bad = next((h for h, v in zip(header, row, strict=True) if _has_surrogates(v)), None)
            if bad is not None:
                raise InvalidRecord(f"column {bad!r} is not UTF-8; re-save the file as UTF-8")
            record = convert(dict(zip(header, row, strict=True)), self.mapping)
            batch.signals.append(to_signal(record, self.defaults, utcnow()))
        except InvalidRecord as exc:
            batch.dead_letters.append(self._dead(line_no, f"row at line {line_no}: {exc}", raw))

    def _dead(self, line_no: int, reason: str, raw: bytes | str) -> DeadLetter:
        text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else _visible(raw)
        return DeadLetter(
            workspace=self.workspace,
            source=self.name,
            reason=reason,
            raw=text[:10_000],
            position=f"{self.path.name}:{line_no}",
        )


def guess_format(path: Path) -> str:
    """jsonl or csv from the file's extension; JSONL when unsure."""
    return "csv" if path.suffix.lower() in {".csv", ".tsv"} else "jsonl"


def check_csv_header(header: list[str], mapping: Mapping[str, str], path: Path) -> None:
    """A CSV without any text column cannot produce signals: say which columns it has."""
    text_keys = {
        mapping.get("text", "text"),
        mapping.get("title", "title"),
        mapping.get("value", "value"),
    }
    if not text_keys & set(header):
        raise ValueError(
            f"{path.name}: no text column; its columns are {', '.join(header)}."
            ' Map one with --map text=COLUMN (or `mapping = {text = "COLUMN"}` in pouls.toml).'
        )


def _count_lines(path: Path, upto: int) -> int:
    """Lines before byte `upto`, so dead letters name the right line after a resume."""
    if upto == 0:
        return 0
    count = 0
    with path.open("rb") as f:
        remaining = upto
        while remaining > 0:
            chunk = f.read(min(remaining, 1 << 20))
            if not chunk:
                break
            count += chunk.count(b"\n")
            remaining -= len(chunk)
    return count


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _visible(raw: str) -> str:
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
