#!/usr/bin/env python3
"""Writes the TorchScript module through which the worker casts tensors to and from bfloat16.

    /usr/bin/python3 tools/make_precision_module.py   (Debian's python3-torch)

DJL 0.36's JNI maps only its first nine data types to torch's: NDArray.toType(BFLOAT16) and every creation
with that type end in std::terminate (the whole JVM), and its toType detaches from autograd. A method of a
TorchScript module does neither, so the worker hands its tensors to this one: valley_hold(tensors), then
forward(direction), where direction's size picks the way (one element: to bfloat16, none: to float32) without
reading it, which on CUDA would wait for the device. The archive is committed beside Precision.java; this script
is how it was made.
"""
from pathlib import Path
from typing import List

import torch

TARGET = (Path(__file__).resolve().parent.parent / "gpu-worker" / "src" / "main" / "resources" / "dev" / "valley"
          / "worker" / "science" / "model" / "precision-cast.pt")


class PrecisionCast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.held = torch.jit.Attribute([], List[torch.Tensor])

    @torch.jit.export
    def valley_hold(self, tensors: List[torch.Tensor]) -> None:
        self.held = tensors

    def forward(self, direction: torch.Tensor) -> List[torch.Tensor]:
        tensors = self.held
        self.held = torch.jit.annotate(List[torch.Tensor], [])
        dtype = torch.bfloat16 if direction.numel() == 1 else torch.float32
        return [t.to(dtype) for t in tensors]


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.script(PrecisionCast()).save(str(TARGET))
    print("wrote", TARGET, TARGET.stat().st_size, "bytes")
