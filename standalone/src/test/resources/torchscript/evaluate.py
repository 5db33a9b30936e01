"""PyTorch's own evaluation of what a TorchScript train job left, for TorchScriptEndToEndTest.

    python3 evaluate.py UPLOADED.pt MODEL.safetensors MODEL.pt DATA.json

Loads the archive the user uploaded, puts model.safetensors into it with load_state_dict (strict: every name of
the state_dict, buffers included), and evaluates the test split in eval mode; then evaluates model.pt (the job's
archive with its weights) the same way. Prints JSON: both accuracies and mean cross-entropies, and the largest
difference between the two archives' logits. Reads safetensors with NumPy alone (the format is a length, a JSON
header and raw little-endian data), so no code of Valley's takes part.
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def evaluate(net, x, y):
    net.eval()
    with torch.no_grad():
        logits = net(x)
    loss = torch.nn.functional.cross_entropy(logits, y).item()
    accuracy = (logits.argmax(1) == y).double().mean().item()
    return logits, accuracy, loss


def main(uploaded, weights, trained, data):
    d = json.load(open(data))
    x = torch.tensor(d["x"], dtype=torch.float32).reshape([-1] + d["shape"])
    y = torch.tensor(d["y"], dtype=torch.int64)
    net = torch.jit.load(uploaded)
    net.load_state_dict(read_safetensors(weights), strict=True)
    logits, accuracy, loss = evaluate(net, x, y)
    out = {"stateDictAccuracy": accuracy, "stateDictLoss": loss}
    module = torch.jit.load(trained)
    logits2, accuracy2, loss2 = evaluate(module, x, y)
    out.update(modelPtAccuracy=accuracy2, modelPtLoss=loss2,
               maxLogitDifference=(logits - logits2).abs().max().item())
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:5])
