#!/usr/bin/env python3
"""Independent check of a Valley MLP: loads model.safetensors and evaluates it on the Fashion-MNIST test set.

Uses PyTorch (a torch.nn.ModuleList of Linear layers named `layers`) when installed, NumPy otherwise.
    python3 tools/verify_mlp.py model.safetensors [/usr/share/datasets/fashion-mnist]
"""
import gzip, json, struct, sys
import numpy as np

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    kinds = {"F32": np.float32, "I64": np.int64}
    tensors = {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=kinds[v["dtype"]]).reshape(v["shape"])
               for k, v in header.items()}
    return tensors, meta

def idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape)

def main():
    tensors, meta = read_safetensors(sys.argv[1])
    folder = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    x = idx(folder + "/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = idx(folder + "/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    layers = sum(1 for k in tensors if k.endswith(".weight"))
    try:
        import torch
        stack = torch.nn.ModuleList(torch.nn.Linear(tensors[f"layers.{i}.weight"].shape[1], tensors[f"layers.{i}.weight"].shape[0])
                                    for i in range(layers))
        stack.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()})
        h = torch.from_numpy(x)
        with torch.no_grad():
            for i, layer in enumerate(stack):
                h = layer(h)
                if i + 1 < layers:
                    h = torch.relu(h)
        logits, how = h.numpy().astype(np.float64), "torch " + torch.__version__
    except ImportError:
        h = x.astype(np.float64)
        for i in range(layers):
            h = h @ tensors[f"layers.{i}.weight"].T.astype(np.float64) + tensors[f"layers.{i}.bias"]
            if i + 1 < layers:
                h = np.maximum(h, 0)
        logits, how = h, "numpy " + np.__version__
    z = logits - logits.max(1, keepdims=True)
    loss = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))).mean()
    print(json.dumps({"evaluatedWith": how, "arch": meta.get("arch"), "sizes": meta.get("sizes"),
                      "testAccuracy": float((logits.argmax(1) == y).mean()), "testLoss": float(loss)}))

if __name__ == "__main__":
    main()
