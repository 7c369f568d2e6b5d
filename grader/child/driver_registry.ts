/**
 * How an exercise's driver hands over its `Driver` without exporting it.
 *
 * A driver module exports nothing but names, and offers its `Driver` here when it is first
 * evaluated. The grader bundles each driver with its own copy of this registry into the
 * body of a function that returns what was offered (`driverSource()` in `sandbox.ts`), and
 * sends that in the child's request: student code can import, or read as text, any file of
 * the sandbox, and drivers are kept out of it. Tests take a driver from here after importing
 * its module.
 *
 * @example
 * ```ts
 * import { offerDriver, offeredDriver } from "./driver_registry.ts";
 * import assert from "node:assert/strict";
 *
 * offerDriver("example", () => ({}));
 * assert.equal(typeof offeredDriver("example"), "function");
 * assert.equal(offeredDriver("other"), undefined);
 * ```
 *
 * @module
 */
import type { Driver } from "./calls.ts";

const offered = new Map<string, Driver>();

/**
 * Offers a driver under its exercise's driver name (`drivers/<name>.ts`).
 *
 * @param name The driver's name.
 * @param driver The driver.
 */
export function offerDriver(name: string, driver: Driver): void {
  offered.set(name, driver);
}

/**
 * The driver offered under `name`. In the child, where the drivers are never modules (each
 * comes bundled with a registry of its own), it offers nothing.
 *
 * @param name The driver's name.
 * @returns The driver, or `undefined`.
 */
export function offeredDriver(name: string): Driver | undefined {
  return offered.get(name);
}
