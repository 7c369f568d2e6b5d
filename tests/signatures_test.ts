/**
 * Each solution has its stub's exact public types: `deno check` fails here (naming the
 * export) when a solution's signature drifts from the stub students get, or back.
 */
import assert from "node:assert/strict";
import type * as dualStub from "../exercises/01-dual-numbers/dual.ts";
import type * as dualSolution from "../solutions/01-dual-numbers/dual.ts";
import type * as lmsStub from "../exercises/02-lms/lms.ts";
import type * as lmsSolution from "../solutions/02-lms/lms.ts";
import type * as adaboostStub from "../exercises/03-adaboost/adaboost.ts";
import type * as adaboostSolution from "../solutions/03-adaboost/adaboost.ts";
import type * as softmaxStub from "../exercises/04-softmax/softmax.ts";
import type * as softmaxSolution from "../solutions/04-softmax/softmax.ts";
import type * as autoencoderStub from "../exercises/05-autoencoder/autoencoder.ts";
import type * as autoencoderSolution from "../solutions/05-autoencoder/autoencoder.ts";

/** `true` when each of A and B can stand wherever the other is expected. */
type Interchangeable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const SIGNATURES_MATCH: {
  "01-dual-numbers": Interchangeable<typeof dualStub, typeof dualSolution>;
  "02-lms": Interchangeable<typeof lmsStub, typeof lmsSolution>;
  "03-adaboost": Interchangeable<typeof adaboostStub, typeof adaboostSolution>;
  "04-softmax": Interchangeable<typeof softmaxStub, typeof softmaxSolution>;
  "05-autoencoder": Interchangeable<typeof autoencoderStub, typeof autoencoderSolution>;
} = {
  "01-dual-numbers": true,
  "02-lms": true,
  "03-adaboost": true,
  "04-softmax": true,
  "05-autoencoder": true,
};

Deno.test("each solution has its stub's public types (checked by deno check)", () => {
  assert.ok(Object.values(SIGNATURES_MATCH).every((match) => match));
});
