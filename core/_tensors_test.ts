import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { backendTest } from "./_backends.ts";
import { paddedTensor2d, paddedTensor3d } from "./_tensors.ts";

/** The values tfjs stores for `rows` padded as nested arrays: the reference the helpers match. */
function nestedPadded(rows: number[][], height: number, width: number, fill: number) {
  return Array.from(
    { length: height },
    (_, i) => Array.from({ length: width }, (_, j) => rows[i]?.[j] ?? fill),
  );
}

backendTest("paddedTensor2d() holds what tf.tensor2d() of the padded rows holds", async () => {
  const rows = [[1.1, -0, NaN], [1e-40, -Infinity], [], [0.1 + 0.2]];
  for (const fill of [0, -Infinity]) {
    const t = paddedTensor2d(rows, 5, 3, fill);
    const expected = tf.tensor2d(nestedPadded(rows, 5, 3, fill));
    assert.deepEqual(t.shape, [5, 3]);
    assert.deepEqual(await t.data(), await expected.data());
    tf.dispose([t, expected]);
  }
});

backendTest("paddedTensor3d() pads each matrix to the same rectangle", async () => {
  const matrices = [[[1, 2], [3]], [], [[4, 5, 6]]];
  const t = paddedTensor3d(matrices, 2, 3, -1);
  assert.deepEqual(t.shape, [3, 2, 3]);
  assert.deepEqual(await t.array(), [
    [[1, 2, -1], [3, -1, -1]],
    [[-1, -1, -1], [-1, -1, -1]],
    [[4, 5, 6], [-1, -1, -1]],
  ]);
  t.dispose();
});
