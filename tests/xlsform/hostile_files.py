"""Hostile .xlsx files, built small on disk: a far cell, a whitespace bomb, damaged XML."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl

MB = 1 << 20


def far_cell(path: Path) -> Path:
    """A survey sheet with one cell at XFD1048576 (the last one Excel has): about 5 KB."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "survey"
    ws["A1"] = "type"
    ws["XFD1048576"] = "x"
    book.save(path)
    return path


def _deflate(head: bytes, filler: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + filler × times + tail; (data, crc, size).

    After a full flush the compressor starts afresh, so the filler's compressed block is the
    same every time: it is compressed once and repeated, and 1 GB costs a CRC pass, not a deflate.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(filler) + compressor.flush(zlib.Z_FULL_FLUSH) if times else b""
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(tail, crc)
    return first + block * times + last, crc, len(head) + len(filler) * times + len(tail)


def whitespace_bomb(source: Path, path: Path, megabytes: int = 1024) -> Path:
    """`source` with `megabytes` MB of spaces inside its first sheet's <sheetData> (valid XML).

    The zip is written by hand so the member can be streamed from a precomputed block: 1 GB
    of whitespace takes about 1 MB on disk, like the workbook of the report.
    """
    with zipfile.ZipFile(source) as archive:
        parts = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    out, central = bytearray(), bytearray()
    for name, data in parts:
        if name == "xl/worksheets/sheet1.xml":
            head, sep, tail = data.partition(b"<sheetData>")
            packed, crc, size = _deflate(head + sep, b" " * MB, megabytes, tail)
        else:
            packed, crc, size = _deflate(data, b"", 0, b"")
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                           len(encoded), 0)  # fmt: skip
        out += encoded + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(packed), size, len(encoded), 0, 0, 0, 0, 0, offset)  # fmt: skip
        central += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central),
                      len(out), 0)  # fmt: skip
    path.write_bytes(bytes(out + central) + end)
    return path


def damaged(source: Path, path: Path, member: str) -> Path:
    """`source` with the XML of one part cut in half."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data[: len(data) // 2] if info.filename == member else data)
    return path
