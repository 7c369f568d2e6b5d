import { dot } from "./helpers/linear.ts";

export function predict(theta: number[], x: number[]): number {
  return dot(theta, x);
}

export function cost(theta: number[], X: number[][], y: number[]): number {
  return 0.5 * X.reduce((sum, xi, i) => sum + (predict(theta, xi) - y[i]) ** 2, 0);
}

export function special(): unknown[] {
  return [NaN, -0, Infinity, undefined, new Float32Array([0.5])];
}

export function fail(): never {
  throw new TypeError("theta must not be empty");
}

console.log("lms.ts loaded");
console.error("a warning on stderr");
