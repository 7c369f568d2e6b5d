/**
 * The hidden suites of every exercise, by exercise id.
 *
 * @module
 */
import type { HiddenSuite } from "../suite.ts";
import { suite as adaboost } from "./adaboost.ts";
import { suite as autoencoder } from "./autoencoder.ts";
import { suite as dual } from "./dual.ts";
import { suite as lms } from "./lms.ts";
import { suite as softmax } from "./softmax.ts";

/** Each exercise's hidden suite. */
export const SUITES: Readonly<Record<string, HiddenSuite>> = {
  "01-dual-numbers": dual,
  "02-lms": lms,
  "03-adaboost": adaboost,
  "04-softmax": softmax,
  "05-autoencoder": autoencoder,
};
