# Trains an MLP 784-32-10 on Fashion-MNIST with NumPy alone (not Valley) and writes it as safetensors under the
# names PyTorch's nn.Sequential-style MLP uses (layers.{i}.weight [out, in], layers.{i}.bias [out], float32), plus
# the test accuracy NumPy measures for it on all 10,000 test images. UploadedModelsEndToEndTest uploads the file and
# expects Valley to report that accuracy for it. Run: python3 make_mlp.py  (NumPy 2.4.6 wrote the committed files)
import gzip, json, struct
import numpy as np

D = "/usr/share/datasets/fashion-mnist/"
def images(name):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
def labels(name):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)

x, y = images("train-images-idx3-ubyte.gz")[:20000], labels("train-labels-idx1-ubyte.gz")[:20000]
xt, yt = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
rng = np.random.default_rng(7)
w0 = (rng.uniform(-1, 1, (32, 784)) / np.sqrt(784)).astype(np.float32); b0 = np.zeros(32, np.float32)
w1 = (rng.uniform(-1, 1, (10, 32)) / np.sqrt(32)).astype(np.float32); b1 = np.zeros(10, np.float32)
for epoch in range(3):
    order = rng.permutation(len(x))
    for s in range(0, len(x), 64):
        i = order[s:s + 64]
        h = np.maximum(x[i] @ w0.T + b0, 0)
        z = h @ w1.T + b1
        p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
        p[np.arange(len(i)), y[i]] -= 1; g = p / len(i)
        gw1 = g.T @ h; gb1 = g.sum(0)
        gh = (g @ w1) * (h > 0)
        gw0 = gh.T @ x[i]; gb0 = gh.sum(0)
        for w, gw in ((w0, gw0), (b0, gb0), (w1, gw1), (b1, gb1)):
            w -= 0.1 * gw.astype(np.float32)

logits = np.maximum(xt @ w0.T + b0, 0) @ w1.T + b1
accuracy = float((logits.argmax(1) == yt).mean())

tensors = {"layers.0.weight": w0, "layers.0.bias": b0, "layers.1.weight": w1, "layers.1.bias": b1}
header, data, offset = {"__metadata__": {"written_by": "numpy make_mlp.py"}}, b"", 0
for name, t in tensors.items():
    raw = np.ascontiguousarray(t, dtype="<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    data += raw; offset += len(raw)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
with open("mlp-784-32-10.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)
with open("mlp-784-32-10.json", "w") as f:
    json.dump({"testAccuracy": accuracy, "testExamples": int(len(yt))}, f)
print("test accuracy", accuracy)
