"""The salt for PII hashes, kept outside the warehouse file.

Phone numbers and voter keys are stored only as salted SHA-256 hashes. The
salt is the same for every load of one warehouse (so a reloaded row compares
unchanged and a voter's repeat votes still match), comes from `TPD_PII_SALT`
when set, and otherwise lives in a file beside the warehouse, readable by
its owner only; without it nobody can test a guessed phone number against
the hashes.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def salt_path(db: Path) -> Path:
    return db.parent / f".{db.name}.salt"


def salt_for(db: Path) -> str:
    if env := os.environ.get("TPD_PII_SALT"):
        return env
    path = salt_path(Path(db))
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another loader made it a moment ago
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
