import assert from "node:assert/strict";
import { attemptVerdict, attemptWindowMs, DAY_MS } from "./attempts.ts";

const MINUTE = 60_000;
const t0 = Date.parse("2025-03-03T09:00:00Z");
const at = (minutes: number) => new Date(t0 + minutes * MINUTE);

Deno.test("attemptVerdict() allows anything without a policy", () => {
  const many = Array.from({ length: 50 }, (_, i) => at(i));
  assert.deepEqual(attemptVerdict({}, many, at(50)), { allowed: true, usedToday: 50 });
});

Deno.test("attemptVerdict() counts attempts in the 24 hours before now", () => {
  const policy = { perDay: 2 };
  assert.deepEqual(attemptVerdict(policy, [at(0)], at(1)), {
    allowed: true,
    usedToday: 1,
    perDay: 2,
  });
  const refused = attemptVerdict(policy, [at(10), at(0)], at(20));
  assert.equal(refused.allowed, false);
  assert.equal(refused.usedToday, 2);
  if (!refused.allowed) {
    assert.deepEqual(refused.retryAt, new Date(t0 + DAY_MS), "when the oldest one leaves");
    assert.match(
      refused.reason,
      /^2 attempts in 24 hours are allowed, and all are used; try again at 2025-03-04T09:00:00.000Z$/,
    );
  }
  assert.equal(attemptVerdict(policy, [at(0), at(10)], new Date(t0 + DAY_MS)).allowed, true);
});

Deno.test("attemptVerdict() makes a student wait out the cool-down after the last attempt", () => {
  const policy = { cooldownMinutes: 5 };
  const refused = attemptVerdict(policy, [at(0), at(3)], at(7));
  assert.equal(refused.allowed, false);
  if (!refused.allowed) assert.deepEqual(refused.retryAt, at(8));
  assert.equal(attemptVerdict(policy, [at(0), at(3)], at(8)).allowed, true);
});

Deno.test("attemptVerdict() reports the later of two limits", () => {
  const policy = { perDay: 1, cooldownMinutes: 60 * 25 };
  const refused = attemptVerdict(policy, [at(0)], at(1));
  assert.equal(refused.allowed, false);
  if (!refused.allowed) {
    assert.deepEqual(refused.retryAt, at(60 * 25));
    assert.match(refused.reason, /1500 minutes must pass/);
  }
});

Deno.test("attemptWindowMs() covers a day, or a longer cool-down", () => {
  assert.equal(attemptWindowMs({ perDay: 3 }), DAY_MS);
  assert.equal(attemptWindowMs({ cooldownMinutes: 48 * 60 }), 2 * DAY_MS);
});
