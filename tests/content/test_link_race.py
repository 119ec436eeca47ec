"""A file swapped for a link to outside the folder while it is read is never read.

Between resolving a path and opening it, a file can be renamed over by a link
to a secret outside the content folder. One thread flips the file back and
forth as fast as it can while the loader reads it again and again; the secret
must never come back, whichever way the race falls.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from caseapi.content.loader import load_file
from tests.conftest import ContentFolder

SECRET = b"TOPSECRET," * 100
ROUNDS_SECONDS = 3.0


def flip(folder: Path, secret: Path, stop: threading.Event) -> int:
    """Replace ``data.csv`` by a link to ``secret`` and back, atomically, until ``stop``."""
    plain = folder / ".gewoon"
    plain.write_bytes(b"naam,aantal\nvakmanschap,3\n")
    flips = 0
    while not stop.is_set():
        for name, make in ((".link", lambda p: os.symlink(secret, p)), (".file", None)):
            temporary = folder / name
            temporary.unlink(missing_ok=True)
            if make is None:
                os.link(plain, temporary)
            else:
                make(temporary)
            os.rename(temporary, folder / "data.csv")
        flips += 1
    return flips


def test_a_file_flipped_to_a_link_outside_is_never_read(
    content: ContentFolder, tmp_path: Path
) -> None:
    secret = tmp_path / "geheim.csv"
    secret.write_bytes(SECRET)
    media = content.root / "media"
    media.mkdir()
    stop = threading.Event()
    flips: list[int] = []
    flipper = threading.Thread(target=lambda: flips.append(flip(media, secret, stop)))
    flipper.start()
    reads = refused = 0
    try:
        deadline = time.monotonic() + ROUNDS_SECONDS
        while time.monotonic() < deadline:
            result = load_file(content.root, Path("media/data.csv"))
            reads += 1
            if result.asset is None:
                refused += 1
            assert b"TOPSECRET" not in (result.data or b""), f"read outside, after {reads} reads"
    finally:
        stop.set()
        flipper.join()
    # The race was run, both ways: some reads found the file, some the link.
    assert flips[0] > 1000, flips
    assert 0 < refused < reads
