"""File import: JSONL or CSV read once, in batches, resumable where it stopped.

The cursor is the byte offset after the last record of a batch, with a fingerprint of the bytes
before it (see fingerprint.py): a killed import starts again at the first batch that was not
committed, a file that grew is continued, and a different or rewritten one is read from its start.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

from pouls.signals import Batch, DeadLetter, Signal, inputs, utcnow
from pouls.sources.fingerprint import Fingerprint, Resume, resume
from pouls.sources.records import Defaults, InvalidRecord, convert, decode_json, to_signal

log = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t")  # spreadsheets in French write `;`, .tsv files a tab


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
        self.resumed: Resume | None = None  # what the last stream() found at the saved cursor
        self.start = 0  # the byte it read from

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Yield batches from the cursor on; the last one carries the cursor of the file's end."""
        self.resumed, fingerprint = resume(self.path, cursor)
        self.start = fingerprint.offset
        if self.resumed is not Resume.UNCHANGED:
            log.info("%s: %s, reading from byte %d", self.path.name, self.resumed, self.start)
        if self.on_progress:
            self.on_progress(self.start)
        read = self._jsonl if self.format == "jsonl" else self._csv
        for batch in read(fingerprint):
            yield batch

    def _jsonl(self, fp: Fingerprint) -> Iterator[Batch]:
        batch = Batch(cursor=fp.position().encode())
        with self.path.open("rb") as f:
            f.seek(fp.offset)
            for line in f:
                first = fp.offset == 0
                fp.feed(line)
                self._add(batch, fp.line, line.removeprefix(BOM) if first else line)
                if len(batch.signals) + len(batch.dead_letters) >= self.batch_size:
                    yield from self._flush(batch, fp)
                    batch = Batch()
        yield from self._flush(batch, fp)

    def _flush(self, batch: Batch, fp: Fingerprint) -> Iterator[Batch]:
        batch.cursor = fp.position().encode()
        yield batch
        if self.on_progress:
            self.on_progress(fp.offset)

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
        except Exception as exc:  # a record must not stop the file: kept with what went wrong
            # The type only: the message may quote the record, which may identify someone.
            log.warning(
                "%s line %d: %s, kept as a dead letter", self.path.name, line_no, type(exc).__name__
            )
            reason = f"line {line_no}: could not be read ({type(exc).__name__}: {exc})"
            batch.dead_letters.append(self._dead(line_no, reason, stripped))
            return
        batch.signals.append(signal)

    def _normalise_json(self, line: bytes) -> Signal:
        if self.mapping:
            try:
                data = json.loads(line)
            except ValueError as exc:
                raise InvalidRecord(f"not valid JSON ({exc})") from None
            if not isinstance(data, dict):
                raise InvalidRecord(f"expected a JSON object, got {type(data).__name__}")
            record = convert(inputs.payload(data), self.mapping)
        else:
            record = decode_json(line)
        return to_signal(record, self.defaults, utcnow())

    def _csv(self, fp: Fingerprint) -> Iterator[Batch]:
        found = read_csv_header(self.path)
        if found is None:
            yield from self._flush(Batch(), fp)
            return
        header, delimiter = found
        check_csv_header(header, self.mapping, self.path)
        record: list[str] = []  # the text lines of the record being read, for dead letters

        def lines(text: io.TextIOWrapper) -> Iterator[str]:
            for line in text:
                fp.feed(line.encode("utf-8", "surrogateescape"))
                record.append(line)
                yield line

        batch = Batch()
        with self.path.open("rb") as f:
            f.seek(fp.offset)
            # surrogateescape keeps undecodable bytes visible per row instead of failing the
            # file, and gives back each line's exact bytes for the fingerprint.
            text = io.TextIOWrapper(f, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.reader(lines(text), delimiter=delimiter)
            if fp.offset == 0:
                next(reader, None)  # the header, read above
            while True:
                record.clear()
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    self._add_bad_row(batch, fp.line, str(exc), "".join(record))
                else:
                    if row:  # a blank line is no record
                        self._add_row(batch, header, row, fp.line, "".join(record))
                if len(batch.signals) + len(batch.dead_letters) >= self.batch_size:
                    yield from self._flush(batch, fp)
                    batch = Batch()
        yield from self._flush(batch, fp)

    def _add_row(
        self, batch: Batch, header: list[str], row: list[str], line_no: int, raw: str
    ) -> None:
        try:
            if len(row) != len(header):
                raise InvalidRecord(f"{len(row)} columns where the header has {len(header)}")
            bad = next((h for h, v in zip(header, row, strict=True) if _has_surrogates(v)), None)
            if bad is not None:
                raise InvalidRecord(f"column {bad!r} is not UTF-8; re-save the file as UTF-8")
            record = convert(dict(zip(header, row, strict=True)), self.mapping)
            batch.signals.append(to_signal(record, self.defaults, utcnow()))
        except InvalidRecord as exc:
            self._add_bad_row(batch, line_no, str(exc), raw)
        except Exception as exc:  # a row must not stop the file: kept with what went wrong
            # The type only: the message may quote the record, which may identify someone.
            log.warning(
                "%s line %d: %s, kept as a dead letter", self.path.name, line_no, type(exc).__name__
            )
            self._add_bad_row(
                batch, line_no, f"could not be read ({type(exc).__name__}: {exc})", raw
            )

    def _add_bad_row(self, batch: Batch, line_no: int, why: str, raw: str) -> None:
        raw = raw.removesuffix("\n").removesuffix("\r")
        batch.dead_letters.append(self._dead(line_no, f"row at line {line_no}: {why}", raw))

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


def read_csv_header(path: Path) -> tuple[list[str], str] | None:
    """A CSV file's column names and its delimiter (the one its first line uses most)."""
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as f:
        first = f.readline()
        delimiter = max(DELIMITERS, key=first.count)  # ties keep the comma
        f.seek(0)
        try:
            header = next(csv.reader(f, delimiter=delimiter), None)
        except csv.Error as exc:
            raise ValueError(f"{path.name}: its first line is not a CSV header ({exc})") from None
    if not header:
        return None
    header = [_visible(h).strip() for h in header]
    header[0] = header[0].removeprefix("\ufeff").strip()
    return header, delimiter


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


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _visible(raw: str) -> str:
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
