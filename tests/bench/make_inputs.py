"""Writes Dockerfile.{500,2000,5000} from typical-block.Dockerfile: official-image
style (long RUN chains, about 7 lines per instruction, like the real-world corpus)."""
import os
import sys

BLOCK = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "typical-block.Dockerfile")).read()

out = sys.argv[1]
lines = BLOCK.splitlines()
for size in (500, 2000, 5000):
    text = "\n".join((lines * (size // len(lines) + 1))[:size]) + "\n"
    with open(os.path.join(out, f"Dockerfile.{size}"), "w") as f:
        f.write(text)
