/**
 * For the drivers' tests: runs code in a realm as student code may leave it, with the
 * built-ins a driver could lean on replaced (every array method a loop might call and the
 * array iterator throw; `Array.isArray`, `Number.isInteger` and `Number.isFinite` say no;
 * `Math`'s functions answer NaN), then puts them back. A driver that captured what it needs
 * when it loaded computes the same inside as outside.
 *
 * Not a driver (`_` names are never bundled into the child), and the sandbox holds none of
 * this folder.
 *
 * @module
 */

const ARRAY_METHODS = ["map", "reduce", "forEach", "push", "fill", "every", "some", "entries"];
const MATH_FUNCTIONS = ["exp", "log", "min", "max", "sin", "cos", "sqrt", "abs"] as const;

/**
 * Runs `run` with the built-ins patched, and restores them whatever happens.
 *
 * @param run What to compute.
 * @returns What it returned.
 */
export function withBuiltInsPatched<T>(run: () => T): T {
  const arrayProto = Array.prototype as unknown as Record<PropertyKey, unknown>;
  const math = Math as unknown as Record<string, unknown>;
  const savedArray = ARRAY_METHODS.map((name) => arrayProto[name]);
  const savedIterator = arrayProto[Symbol.iterator];
  const savedMath = MATH_FUNCTIONS.map((name) => math[name]);
  const { isArray } = Array;
  const { isInteger, isFinite } = Number;
  const broken = () => {
    throw new Error("patched by student code");
  };
  // Index loops: the array methods and the iterator are among what is patched.
  try {
    for (let i = 0; i < ARRAY_METHODS.length; i++) arrayProto[ARRAY_METHODS[i]] = broken;
    arrayProto[Symbol.iterator] = broken;
    for (let i = 0; i < MATH_FUNCTIONS.length; i++) math[MATH_FUNCTIONS[i]] = () => NaN;
    Array.isArray = (() => false) as unknown as typeof Array.isArray;
    Number.isInteger = () => false;
    Number.isFinite = () => false;
    return run();
  } finally {
    for (let i = 0; i < ARRAY_METHODS.length; i++) arrayProto[ARRAY_METHODS[i]] = savedArray[i];
    arrayProto[Symbol.iterator] = savedIterator;
    for (let i = 0; i < MATH_FUNCTIONS.length; i++) math[MATH_FUNCTIONS[i]] = savedMath[i];
    Array.isArray = isArray;
    Number.isInteger = isInteger;
    Number.isFinite = isFinite;
  }
}
