# Writes the NPY/NPZ fixtures of DatasetReaderTest with numpy itself (an independent writer of the format):
#   python3 make_fixtures.py   (numpy 2.4.6 wrote the committed files)
import numpy as np

x = (np.arange(36, dtype=np.float64) / 10).astype(np.float32).reshape(6, 2, 3)
y = np.array([0, 1, 2, 0, 1, 2], dtype=np.int64)
np.savez("tiny.npz", x=x, y=y)
np.savez_compressed("tiny-with-test.npz", x=x, y=y, x_test=x[:2] + 1, y_test=np.array([2, 1], dtype=np.int64))
np.save("x-u8.npy", (np.arange(16, dtype=np.uint8) * 17).reshape(4, 2, 2))
np.save("y-i32.npy", np.array([1, 0, 1, 0], dtype=np.int32))
np.save("x-f64.npy", np.array([[0.5, -1.25], [3.0, 1e-3]], dtype=np.float64))
np.save("y-u8.npy", np.array([1, 0], dtype=np.uint8))
np.save("x-nan.npy", np.array([[0.5, 1.0], [np.nan, 2.0]], dtype=np.float32))
np.save("x-fortran.npy", np.asfortranarray(np.ones((3, 2), dtype=np.float32)))
np.save("x-f16.npy", np.ones((2, 2), dtype=np.float16))
np.save("y-float.npy", np.array([1.0, 0.0], dtype=np.float32))
np.save("y-negative.npy", np.array([1, -1], dtype=np.int64))
np.savez("no-y.npz", x=x)
