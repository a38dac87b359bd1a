"""Writes Dockerfile.{500,2000,5000} from typical-block.Dockerfile: official-image
style (long RUN chains, about 7 lines per instruction, like the real-world corpus).

Each file ends where an instruction ends, at most SIZE lines: cutting inside a
RUN's continuation would leave a dangling `\` at the end of the file, and the
benchmark's appended comment would then belong to that RUN."""
import os
import sys

BLOCK = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "typical-block.Dockerfile")).read()

out = sys.argv[1]
lines = BLOCK.splitlines()
for size in (500, 2000, 5000):
    full = lines * (size // len(lines) + 2)
    cut = size
    while cut > 0 and (full[cut][:1] in (" ", "\t", "") or full[cut - 1].endswith("\\")):
        cut -= 1
    text = "\n".join(full[:cut]) + "\n"
    with open(os.path.join(out, f"Dockerfile.{size}"), "w") as f:
        f.write(text)
