"""Line-by-line timing of build_catalog(); a developer tool (pip install -r requirements-dev.txt)."""
import sys
from pathlib import Path

from line_profiler import LineProfiler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import build_catalog  # noqa: E402  (needs the path set above)

profiler = LineProfiler(build_catalog)
profiler.runcall(build_catalog, 100_000)
profiler.print_stats()
