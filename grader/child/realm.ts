/**
 * Tells whether code changed the realm's built-ins: the globals, the standard constructors,
 * their prototypes and the iterator prototypes, property by property (added, removed or
 * replaced, symbols included).
 *
 * One student's submissions share a child (see `harness.ts`). A submission that patches a
 * built-in (`Array.prototype.sum = …`, `Math.exp = …`, a global) could change what the
 * next one computes, so the harness checks after each part and, where the realm changed,
 * runs no further part in this child: the grader runs the rest in a fresh one.
 *
 * The fingerprint is taken when this module loads, before any student module, with
 * functions captured then, and compared with index loops only: student code cannot
 * replace what the comparison itself uses.
 *
 * @module
 */

const { apply, ownKeys, getPrototypeOf } = Reflect;
const { getOwnPropertyDescriptor, is } = Object;
const { hasOwnProperty } = Object.prototype;
const { isArray } = Array;

/** The globals whose value, and whose `prototype`, are fingerprinted. */
const BUILT_INS = [
  "Object",
  "Function",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Date",
  "RegExp",
  "Error",
  "TypeError",
  "RangeError",
  "ArrayBuffer",
  "DataView",
  "Float32Array",
  "Float64Array",
  "Int32Array",
  "Uint8Array",
  "Atomics",
  "Intl",
  "console",
  "Deno",
  "TextEncoder",
  "TextDecoder",
  "performance",
];

/** One object's own properties when the module loaded. */
interface Slot {
  owner: object;
  keys: PropertyKey[];
  /** Per key: the value, or the getter and the setter. */
  values: unknown[];
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

function owners(): object[] {
  const found: object[] = [globalThis];
  const add = (value: unknown) => {
    if (isObject(value)) found[found.length] = value;
  };
  for (let i = 0; i < BUILT_INS.length; i++) {
    const name = BUILT_INS[i];
    if (!apply(hasOwnProperty, globalThis, [name])) continue;
    const value = (globalThis as Record<string, unknown>)[name];
    add(value);
    if (typeof value === "function") add((value as { prototype?: unknown }).prototype);
  }
  // %TypedArray%, the array iterator's prototype and %IteratorPrototype%.
  const typedArray = getPrototypeOf(Float32Array) as { prototype?: unknown } | null;
  add(typedArray);
  add(typedArray?.prototype);
  const arrayIterator = getPrototypeOf([][Symbol.iterator]());
  add(arrayIterator);
  if (arrayIterator !== null) add(getPrototypeOf(arrayIterator));
  return found;
}

function slotOf(owner: object): Slot {
  const keys = ownKeys(owner);
  const values: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const descriptor = getOwnPropertyDescriptor(owner, keys[i])!;
    values[values.length] = apply(hasOwnProperty, descriptor, ["value"])
      ? descriptor.value
      : [descriptor.get, descriptor.set];
  }
  return { owner, keys, values };
}

const PRISTINE: Slot[] = [];
{
  const list = owners();
  for (let i = 0; i < list.length; i++) PRISTINE[PRISTINE.length] = slotOf(list[i]);
}

/**
 * Whether any fingerprinted property was added, removed or replaced since this module
 * loaded.
 *
 * @returns `true` if the realm's built-ins changed.
 */
export function realmChanged(): boolean {
  // In place, without a second fingerprint: a check runs between every two parts.
  for (let i = 0; i < PRISTINE.length; i++) {
    const { owner, keys, values } = PRISTINE[i];
    const now = ownKeys(owner);
    if (now.length !== keys.length) return true;
    for (let k = 0; k < keys.length; k++) {
      if (now[k] !== keys[k]) return true;
      const descriptor = getOwnPropertyDescriptor(owner, keys[k])!;
      const was = values[k];
      if (apply(hasOwnProperty, descriptor, ["value"])) {
        if (!is(descriptor.value, was)) return true;
      } else if (
        !isArray(was) || was.length !== 2 || was[0] !== descriptor.get || was[1] !== descriptor.set
      ) {
        return true;
      }
    }
  }
  return false;
}
