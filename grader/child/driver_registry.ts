/**
 * How an exercise's driver reaches the harness without exporting anything student code
 * could use.
 *
 * Student code runs in the child's realm and can import any file of the sandbox by a
 * literal path (no read permission is needed for that), the harness's own files
 * included. A driver that exported its `Driver` would hand a student the trusted
 * operations it builds (the dual-number driver's rules, say) to compute answers with. So a
 * driver module exports nothing but names, and offers its `Driver` here when it is first
 * evaluated; the harness imports every driver its request names, takes them, and seals
 * this registry before any student module loads. A module is evaluated once a process:
 * importing a driver again, or this registry, afterwards yields nothing to take.
 *
 * @example
 * ```ts
 * import { offerDriver, offeredDriver, sealDrivers } from "./driver_registry.ts";
 * import assert from "node:assert/strict";
 *
 * offerDriver("example", () => ({}));
 * assert.equal(typeof offeredDriver("example"), "function");
 * sealDrivers();
 * assert.equal(offeredDriver("example"), undefined);
 * offerDriver("late", () => ({}));
 * assert.equal(offeredDriver("late"), undefined);
 * ```
 *
 * @module
 */
import type { Driver } from "./calls.ts";

const offered = new Map<string, Driver>();
let sealed = false;

/**
 * Offers a driver under its exercise's driver name (`drivers/<name>.ts`). Ignored once the
 * registry is sealed.
 *
 * @param name The driver's name.
 * @param driver The driver.
 */
export function offerDriver(name: string, driver: Driver): void {
  if (!sealed) offered.set(name, driver);
}

/**
 * The driver offered under `name`, until the registry is sealed.
 *
 * @param name The driver's name.
 * @returns The driver, or `undefined`.
 */
export function offeredDriver(name: string): Driver | undefined {
  return sealed ? undefined : offered.get(name);
}

/** Forgets every driver and refuses later offers: the harness calls it before student code. */
export function sealDrivers(): void {
  sealed = true;
  offered.clear();
}
