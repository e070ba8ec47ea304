"""`python -m etl.demo OUT_DIR [SCALE]`: write the demo exports (no load), timed."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from etl.demo import generate_exports

t0 = time.time()
paths = generate_exports(Path(sys.argv[1]), scale=int(sys.argv[2]) if len(sys.argv) > 2 else None)
print(f"{len(paths)} files in {time.time() - t0:.1f}s")
