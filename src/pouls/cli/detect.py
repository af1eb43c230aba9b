"""`pouls detect`: score a `timestamp,value` CSV with the metric detector, one causal pass."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from pouls.cli.context import UserError, err, say, say_plural
from pouls.watch.detectors import MetricDetector


def register(app: typer.Typer) -> None:
    app.command("detect")(detect)


def detect(
    input: Annotated[
        Path, typer.Option("--input", "-i", help="CSV with a `timestamp,value` header.")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="CSV written: timestamp,value,anomaly_score,alert (0 or 1)."
        ),
    ],
    sensitivity: Annotated[
        float,
        typer.Option(help="Between 0 and 1: higher finds more, and smaller, anomalies."),
    ] = 0.5,
) -> None:
    """Score every row of a time series; row N's score uses rows 1..N only."""
    if not 0.0 < sensitivity < 1.0:
        said = say("%(value)s is not strictly between 0 and 1", value=f"{sensitivity:g}")
        raise typer.BadParameter(said, param_hint="'--sensitivity'")
    if not input.is_file():
        raise UserError("%(file)s: no such file", file=str(input))
    detector = MetricDetector(sensitivity)
    partial = output.with_name(output.name + ".partial")
    rows = alerts = 0
    try:
        with (
            input.open(newline="", encoding="utf-8-sig") as src,
            partial.open("w", newline="", encoding="utf-8") as dst,
        ):
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(["timestamp", "value", "anomaly_score", "alert"])
            for stamp, raw, value in read_rows(src, input):
                score = detector.update(stamp, value)
                writer.writerow([raw[0], raw[1], f"{score.anomaly_score:.8f}", int(score.alert)])
                rows += 1
                alerts += score.alert
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    scored = say_plural("%(num)s row scored", "%(num)s rows scored", rows)
    raised = say_plural("%(num)s alert", "%(num)s alerts", alerts)
    err.print(
        say(
            "%(rows)s, %(alerts)s, written to %(file)s",
            rows=scored,
            alerts=raised,
            file=str(output),
        )
    )


def read_rows(src: TextIO, name: Path) -> Iterator[tuple[float, tuple[str, str], float]]:
    """(epoch seconds, the row's two cells as written, value) for each data row, checked."""
    reader = csv.reader(src)
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != ["timestamp", "value"]:
        raise UserError("%(file)s:1: the header must be `timestamp,value`", file=str(name))
    previous = -math.inf
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise UserError(
                "%(file)s:%(line)s: expected 2 columns, found %(found)s",
                file=str(name),
                line=line,
                found=len(row),
            )
        stamp = parse_timestamp(row[0])
        if stamp is None:
            raise UserError(
                "%(file)s:%(line)s: %(value)r is not a timestamp",
                file=str(name),
                line=line,
                value=row[0],
            )
        try:
            value = float(row[1])
        except ValueError:
            raise UserError(
                "%(file)s:%(line)s: %(value)r is not a number",
                file=str(name),
                line=line,
                value=row[1],
            ) from None
        if not math.isfinite(value):
            raise UserError(
                "%(file)s:%(line)s: %(value)r is not a finite number",
                file=str(name),
                line=line,
                value=row[1],
            )
        if stamp <= previous:
            raise UserError(
                "%(file)s:%(line)s: timestamps must increase (%(value)r)",
                file=str(name),
                line=line,
                value=row[0],
            )
        previous = stamp
        yield stamp, (row[0].strip(), row[1].strip()), value


def parse_timestamp(text: str) -> float | None:
    """Epoch seconds from NAB's `2014-04-01 00:00:00`, ISO 8601, or epoch seconds."""
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number if math.isfinite(number) else None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return (moment - datetime(1970, 1, 1)).total_seconds()
    return moment.timestamp()
