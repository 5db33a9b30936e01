"""The file formats Valley's artifacts come in, read and written with numpy alone: safetensors and npz."""
import io
import json
import struct

import numpy as np

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def read_safetensors(data):
    """The tensors of a safetensors file (bytes), name -> numpy array, in the file's order.

    The format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
    range, then the bytes; ``__metadata__`` is not a tensor.
    """
    if len(data) < 8:
        raise ValueError("not a safetensors file: shorter than its 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise ValueError(f"not a safetensors file: a header of {length} bytes in {len(data)}")
    header = json.loads(data[8:8 + length])
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"]).copy()
    return tensors


def write_safetensors(tensors, metadata=None):
    """A safetensors file (bytes) of name -> array (numpy, or anything numpy.asarray takes, torch tensors on the CPU
    included), little-endian, in the given order."""
    header = {}
    chunks = []
    offset = 0
    for name, value in tensors.items():
        array = np.ascontiguousarray(_numpy(value))
        if array.dtype not in _NAMES:
            raise ValueError(f"{name}: dtype {array.dtype} has no safetensors name")
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _NAMES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks)


def read_npz(data):
    """The arrays of an .npz file (bytes), name -> numpy array."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def write_npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **{k: _numpy(v) for k, v in arrays.items() if v is not None})
    return buffer.getvalue()


def _numpy(value):
    if hasattr(value, "detach"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    return np.asarray(value)
