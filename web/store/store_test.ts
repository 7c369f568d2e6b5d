import assert from "node:assert/strict";
import { gradeFor, testOnBothEngines } from "./_testing.ts";
import {
  API_TOKEN_TTL_MS,
  ConflictError,
  MAX_API_TOKENS,
  MAX_PENDING,
  NotFoundError,
  type Store,
} from "./store.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const files = (text = "export const x = 1;\n") => ({ "dual.ts": new TextEncoder().encode(text) });

async function student(store: Store, id: string, name = id.toUpperCase()): Promise<void> {
  await store.createUser({ id, name, role: "student" });
}

async function submitted(store: Store, studentId: string, exercise: string): Promise<string> {
  const outcome = await store.submit({ student: studentId, exercise, files: files() });
  assert.ok(outcome.accepted, `expected the submission to be accepted`);
  return outcome.submission.id;
}

/** ada queues two submissions, then bob one, a millisecond apart: their ids. */
async function twoThenOne(
  store: Store,
  clock: { advance(ms: number): void },
): Promise<{ ada: string[]; bob: string }> {
  await student(store, "ada");
  await student(store, "bob");
  const ada = [await submitted(store, "ada", "91-unlimited")];
  clock.advance(1);
  ada.push(await submitted(store, "ada", "91-unlimited"));
  clock.advance(1);
  return { ada, bob: await submitted(store, "bob", "91-unlimited") };
}

/** Submits, then grades that submission (the queue must be empty before). */
async function graded(
  store: Store,
  studentId: string,
  exercise: string,
  score: number,
  metric?: number,
): Promise<string> {
  const id = await submitted(store, studentId, exercise);
  const job = await store.claimJob("worker");
  assert.equal(job?.submissionId, id);
  assert.ok(await store.completeJob(job!, gradeFor(job!, score, metric)));
  return id;
}

testOnBothEngines("Store", [
  {
    name: "Store.createUser() stores a password hash that authenticate() accepts",
    async fn({ store }) {
      const { user, inviteCode } = await store.createUser({
        id: "prof.x",
        name: "Prof X",
        role: "instructor",
        password: "cerebro-2025",
      });
      assert.equal(inviteCode, undefined);
      assert.deepEqual(await store.authenticate("prof.x", "cerebro-2025"), user);
      assert.equal(await store.authenticate("prof.x", "cerebro-2024"), null);
      assert.equal(await store.authenticate("nobody", "cerebro-2025"), null);
      assert.equal(await store.authenticate("../etc", "cerebro-2025"), null);
      const [row] = await store.engine.query("SELECT password_hash FROM users");
      assert.match(String(row.password_hash), /^pbkdf2-sha256\$600000\$/);
    },
  },
  {
    name: "Store.createUser() refuses a taken id, a malformed id and an unknown role",
    async fn({ store }) {
      await student(store, "ada");
      await assert.rejects(store.createUser({ id: "ada", role: "ta" }), ConflictError);
      await assert.rejects(store.createUser({ id: "a/b", role: "ta" }), RangeError);
      await assert.rejects(
        store.createUser({ id: "bob", role: "dean" as "ta" }),
        /role is "dean"/,
      );
      await assert.rejects(
        store.createUser({ id: "eve", role: "ta", password: "short" }),
        RangeError,
      );
      assert.deepEqual((await store.listUsers()).map((u) => u.id), ["ada"]);
    },
  },
  {
    name: "Store.redeemInvite() accepts a code once, and not after it expires",
    async fn({ store, clock }) {
      const { inviteCode } = await store.createUser({ id: "ada", role: "student" });
      assert.ok(inviteCode);
      assert.equal(await store.authenticate("ada", "difference engine"), null);
      assert.equal((await store.redeemInvite(inviteCode, "difference engine"))?.id, "ada");
      assert.equal(await store.redeemInvite(inviteCode, "another password"), null);
      assert.equal((await store.authenticate("ada", "difference engine"))?.id, "ada");

      const late = await store.createInvite("ada", { ttlMs: DAY });
      clock.advance(DAY);
      assert.equal(await store.redeemInvite(late.code, "too late for this"), null);
      await assert.rejects(store.createInvite("nobody"), NotFoundError);
      const [row] = await store.engine.query("SELECT code_hash FROM invites LIMIT 1");
      assert.notEqual(row.code_hash, late.code, "codes are stored hashed");
    },
  },
  {
    name: "Store.createInvite() replaces an unredeemed code, and redeeming signs out everywhere",
    async fn({ store }) {
      await student(store, "ada");
      const first = await store.createInvite("ada");
      const second = await store.createInvite("ada");
      assert.equal(await store.redeemInvite(first.code, "difference engine"), null);
      const session = await store.createSession("ada");
      const { token } = await store.createApiToken("ada");
      assert.equal((await store.sessionUser(session.token))?.user.id, "ada", "cached now");
      assert.equal((await store.redeemInvite(second.code, "difference engine"))?.id, "ada");
      assert.equal(await store.sessionUser(session.token), null);
      assert.equal(await store.apiTokenUser(token), null);
      assert.equal((await store.authenticate("ada", "difference engine"))?.id, "ada");
      const rows = await store.engine.query("SELECT code_hash FROM invites");
      assert.ok(rows.every((row) => row.code_hash !== second.code), "codes are stored hashed");
    },
  },
  {
    name: "Store.importRoster() creates the missing students with invite codes",
    async fn({ store }) {
      await student(store, "ada");
      const { created, existing } = await store.importRoster([
        { id: "ada", name: "Ada" },
        { id: "bob", name: "Bob B." },
        { id: "cy" },
        { id: "bob", name: "Bob again" },
      ]);
      assert.deepEqual(created.map((c) => [c.user.id, c.user.name, c.user.role]), [
        ["bob", "Bob B.", "student"],
        ["cy", "cy", "student"],
      ]);
      assert.ok(created.every((c) => /^[A-Za-z0-9_-]{43}$/.test(c.inviteCode)));
      assert.deepEqual(existing, ["ada", "bob"]);
      await assert.rejects(store.importRoster([{ id: "dee" }, { id: "bad id" }]), RangeError);
      assert.equal(await store.getUser("dee"), null, "a bad roster creates nobody");
    },
  },
  {
    name: "Store.sessionUser() finds a session until it expires or is deleted",
    async fn({ store, clock }) {
      await student(store, "ada", "Ada L.");
      const session = await store.createSession("ada", { ttlMs: 60 * MINUTE });
      assert.equal((await store.sessionUser(session.token))?.user.name, "Ada L.");
      assert.equal(await store.sessionUser("not-a-token"), null);
      const [row] = await store.engine.query("SELECT token_hash FROM sessions");
      assert.notEqual(row.token_hash, session.token, "tokens are stored hashed");

      clock.advance(60 * MINUTE);
      assert.equal(await store.sessionUser(session.token), null);
      assert.deepEqual(await store.purgeExpired(), { sessions: 1, invites: 0, tokens: 0 });

      const other = await store.createSession("ada");
      await store.deleteSession(other.token);
      assert.equal(await store.sessionUser(other.token), null);
    },
  },
  {
    name: "Store.sessionUser() forgets a session it has found once it ends",
    async fn({ store, clock }) {
      await student(store, "ada", "Ada L.");
      const signedOut = await store.createSession("ada");
      const passwordChanged = await store.createSession("ada");
      const expiring = await store.createSession("ada", { ttlMs: MINUTE });
      for (const { token } of [signedOut, passwordChanged, expiring]) {
        assert.equal((await store.sessionUser(token))?.user.id, "ada");
      }
      await store.deleteSession(signedOut.token);
      assert.equal(await store.sessionUser(signedOut.token), null);
      clock.advance(2 * MINUTE);
      assert.equal(await store.sessionUser(expiring.token), null);
      await store.setPassword("ada", "a new password");
      assert.equal(await store.sessionUser(passwordChanged.token), null);
    },
  },
  {
    name: "Store.sessionUser() with sessionCacheMs 0 sees another process's sign-out at once",
    skip: { engine: "pglite", reason: "PGlite serves one process" },
    async fn({ store, openAnother }) {
      await student(store, "ada");
      const other = await openAnother({ sessionCacheMs: 0 });
      const session = await store.createSession("ada");
      assert.equal((await other.sessionUser(session.token))?.user.id, "ada");
      await store.deleteSession(session.token);
      assert.equal(await other.sessionUser(session.token), null);
    },
  },
  {
    name: "Store.gradesRecorded counts the grades this store has recorded",
    async fn({ store }) {
      await student(store, "ada");
      assert.equal(store.gradesRecorded, 0);
      await submitted(store, "ada", "91-unlimited");
      const job = await store.claimJob("worker");
      assert.equal(store.gradesRecorded, 0);
      assert.ok(await store.completeJob(job!, gradeFor(job!, 7)));
      assert.equal(store.gradesRecorded, 1);
      assert.equal(await store.completeJob(job!, gradeFor(job!, 7)), false);
      assert.equal(store.gradesRecorded, 1);
    },
  },
  {
    name: "Store.setPassword() signs the user out everywhere",
    async fn({ store }) {
      await student(store, "ada");
      const session = await store.createSession("ada");
      await store.setPassword("ada", "a new password");
      assert.equal(await store.sessionUser(session.token), null);
      assert.equal((await store.authenticate("ada", "a new password"))?.id, "ada");
      await assert.rejects(store.setPassword("nobody", "a new password"), NotFoundError);
    },
  },
  {
    name: "Store.apiTokenUser() finds a token's user, notes its use, and forgets it when revoked",
    async fn({ store, clock }) {
      await student(store, "ada");
      const { token, record } = await store.createApiToken("ada");
      assert.equal(record.lastUsedAt, null);
      clock.advance(MINUTE);
      assert.equal((await store.apiTokenUser(token))?.id, "ada");
      const [listed] = await store.listApiTokens("ada");
      assert.deepEqual(listed.lastUsedAt, clock.now());
      assert.equal(await store.revokeApiToken("bob", record.id), false);
      assert.equal(await store.revokeApiToken("ada", record.id), true);
      assert.equal(await store.apiTokenUser(token), null);
    },
  },
  {
    name:
      "Store.apiTokenUser() refuses a token once API_TOKEN_TTL_MS has passed, and purging drops it",
    async fn({ store, clock }) {
      await student(store, "ada");
      const { token, record } = await store.createApiToken("ada");
      assert.equal(record.expiresAt.getTime(), clock.now().getTime() + API_TOKEN_TTL_MS);
      clock.advance(API_TOKEN_TTL_MS - MINUTE);
      assert.equal((await store.apiTokenUser(token))?.id, "ada");
      clock.advance(MINUTE);
      assert.equal(await store.apiTokenUser(token), null);
      // An expired token holds no place among the user's MAX_API_TOKENS.
      for (let i = 0; i < MAX_API_TOKENS; i++) await store.createApiToken("ada");
      await assert.rejects(store.createApiToken("ada"), ConflictError);
      assert.equal((await store.purgeExpired()).tokens, 1);
      assert.equal((await store.listApiTokens("ada")).length, MAX_API_TOKENS);
    },
  },
  {
    name: "Store.submit() stores the files and queues the submission",
    async fn({ store }) {
      await student(store, "ada");
      const bytes = new Uint8Array([0, 1, 2, 255]);
      const outcome = await store.submit({
        student: "ada",
        exercise: "91-unlimited",
        files: { "dual.ts": bytes, "helper.ts": new TextEncoder().encode("// ü\n") },
      });
      assert.ok(outcome.accepted);
      const { submission } = outcome;
      assert.equal(submission.status, "queued");
      assert.equal(submission.attemptCounted, true);
      assert.deepEqual(await store.getSubmission(submission.id), submission);
      const stored = await store.getSubmissionFiles(submission.id);
      assert.deepEqual(Object.keys(stored), ["dual.ts", "helper.ts"]);
      assert.deepEqual([...stored["dual.ts"]], [...bytes]);
      assert.equal(new TextDecoder().decode(stored["helper.ts"]), "// ü\n");
      assert.deepEqual((await store.listSubmissions("ada")).map((s) => s.id), [submission.id]);
      assert.equal(await store.getSubmission("not-an-id"), null);
    },
  },
  {
    name: "Store.submit() refuses unknown exercises, path-like file names and unknown students",
    async fn({ store }) {
      await student(store, "ada");
      await assert.rejects(
        store.submit({ student: "ada", exercise: "00-nope", files: files() }),
        /Unknown exercise "00-nope"/,
      );
      for (const name of ["../dual.ts", ".hidden.ts", "a/b.ts", ""]) {
        await assert.rejects(
          store.submit({
            student: "ada",
            exercise: "91-unlimited",
            files: { [name]: files()["dual.ts"] },
          }),
          RangeError,
        );
      }
      await assert.rejects(
        store.submit({ student: "ada", exercise: "91-unlimited", files: {} }),
        /has no files/,
      );
      await assert.rejects(
        store.submit({ student: "ghost", exercise: "91-unlimited", files: files() }),
        NotFoundError,
      );
    },
  },
  {
    name: "Store.submit() enforces the cool-down and the attempts per day",
    async fn({ store, clock }) {
      await student(store, "ada");
      const submit = () => store.submit({ student: "ada", exercise: "92-limited", files: files() });
      const start = clock.now().getTime();
      assert.ok((await submit()).accepted);

      clock.advance(4 * MINUTE);
      const cooling = await submit();
      assert.ok(!cooling.accepted);
      assert.equal(cooling.retryAt?.getTime(), start + 5 * MINUTE);
      assert.match(cooling.reason, /5 minutes must pass/);

      clock.advance(MINUTE);
      assert.ok((await submit()).accepted);
      clock.advance(5 * MINUTE);
      assert.ok((await submit()).accepted);
      clock.advance(5 * MINUTE);
      const spent = await submit();
      assert.ok(!spent.accepted);
      assert.equal(spent.retryAt?.getTime(), start + DAY);
      assert.match(spent.reason, /3 attempts in 24 hours/);
      assert.deepEqual(await store.attemptStatus("ada", "92-limited"), {
        allowed: false,
        usedToday: 3,
        perDay: 3,
        retryAt: spent.retryAt,
        reason: spent.reason,
      });

      clock.advance(start + DAY - clock.now().getTime());
      assert.ok((await submit()).accepted, "the first attempt has left the 24-hour window");
      assert.equal((await store.listSubmissions("ada", { exercise: "92-limited" })).length, 4);
    },
  },
  {
    name: "Store.submit() accepts one of several simultaneous submissions under a cool-down",
    async fn({ kind, store, openAnother }) {
      await student(store, "ada");
      const stores = kind === "postgres" ? [store, await openAnother()] : [store];
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          stores[i % stores.length].submit({
            student: "ada",
            exercise: "92-limited",
            files: files(),
          })),
      );
      assert.equal(outcomes.filter((o) => o.accepted).length, 1);
    },
  },
  {
    name: "Store.failJob() refunds the attempt when the machinery fails for good",
    async fn({ store, clock }) {
      await student(store, "ada");
      const id = await submitted(store, "ada", "92-limited");
      for (let attempt = 1; attempt <= 3; attempt++) {
        const job = await store.claimJob("worker");
        assert.equal(job?.submissionId, id);
        assert.equal(job?.attempt, attempt);
        assert.equal((await store.getSubmission(id))?.status, "running");
        const outcome = await store.failJob(job!, "the sandbox could not start");
        assert.equal(outcome, attempt < 3 ? "requeued" : "failed");
        assert.equal(await store.claimJob("worker"), null, "a failed job waits before a retry");
        clock.advance(30_000);
      }
      const failed = await store.getSubmission(id);
      assert.equal(failed?.status, "error");
      assert.equal(failed?.attemptCounted, false);
      assert.equal(failed?.error, "the sandbox could not start");
      assert.equal((await store.attemptStatus("ada", "92-limited")).usedToday, 0);
      assert.ok(
        (await store.submit({ student: "ada", exercise: "92-limited", files: files() })).accepted,
        "no cool-down after an attempt that did not count",
      );
    },
  },
  {
    name:
      "Store.claimJob() takes an expired lease back, and the stale worker's report changes nothing",
    async fn({ store, clock }) {
      await student(store, "ada");
      const id = await submitted(store, "ada", "91-unlimited");
      const stale = await store.claimJob("worker-1", { leaseMs: MINUTE });
      assert.equal(stale?.submissionId, id);
      assert.deepEqual(Object.keys(stale!.files), ["dual.ts"]);
      assert.equal(await store.claimJob("worker-2"), null, "a leased job is not handed out");

      clock.advance(MINUTE);
      const fresh = await store.claimJob("worker-2", { leaseMs: MINUTE });
      assert.equal(fresh?.submissionId, id);
      assert.equal(fresh?.attempt, 2);
      assert.notEqual(fresh?.leaseToken, stale?.leaseToken);

      assert.equal(await store.renewLease(stale!), false);
      assert.equal(await store.completeJob(stale!, gradeFor(stale!, 1)), false);
      assert.equal(await store.failJob(stale!, "late"), "stale");
      assert.equal(await store.renewLease(fresh!, { leaseMs: 10 * MINUTE }), true);
      clock.advance(5 * MINUTE);
      assert.equal(await store.claimJob("worker-3"), null, "a renewed lease holds");

      assert.equal(await store.completeJob(fresh!, gradeFor(fresh!, 7)), true);
      assert.equal(await store.completeJob(fresh!, gradeFor(fresh!, 9)), false);
      const done = await store.getSubmission(id);
      assert.equal(done?.status, "done");
      assert.equal(done?.score, 7);
      assert.equal(done?.result?.score, 7);
      assert.equal(done?.attemptCounted, true);
    },
  },
  {
    name: "Store.releaseLeases() frees a dead worker's job at once, keeping its count of tries",
    async fn({ store }) {
      await student(store, "ada");
      const id = await submitted(store, "ada", "91-unlimited");
      const dead = await store.claimJob("worker-1");
      assert.equal(dead?.submissionId, id);
      assert.equal(await store.claimJob("worker-2"), null, "a leased job is not handed out");
      assert.equal(await store.releaseLeases(), 1);
      assert.equal(await store.releaseLeases(), 0, "an ended lease is not ended twice");
      const taken = await store.claimJob("worker-2");
      assert.equal(taken?.submissionId, id);
      assert.equal(taken?.attempt, 2);
      assert.equal(await store.completeJob(dead!, gradeFor(dead!, 1)), false);
    },
  },
  {
    name: "Store.claimJob() ends a job in error once its lease has run out too often",
    async fn({ store, clock }) {
      await student(store, "ada");
      const id = await submitted(store, "ada", "91-unlimited");
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.equal(
          (await store.claimJob("crashing-worker", { leaseMs: MINUTE }))?.attempt,
          attempt,
        );
        clock.advance(MINUTE);
      }
      assert.equal(await store.claimJob("worker"), null);
      const failed = await store.getSubmission(id);
      assert.equal(failed?.status, "error");
      assert.equal(failed?.attemptCounted, false);
      assert.match(failed?.error ?? "", /interrupted 3 times/);
    },
  },
  {
    name: "Store.claimJob() never hands one job to two workers claiming at once",
    async fn({ kind, store, openAnother }) {
      const students = ["ada", "bob", "cy", "dee"];
      for (const id of students) await student(store, id);
      const jobs = 4 * MAX_PENDING;
      for (let i = 0; i < jobs; i++) await submitted(store, students[i % 4], "91-unlimited");
      // On PostgreSQL, two stores (two pools, as two worker processes would have) race.
      const stores = kind === "postgres" ? [store, await openAnother()] : [store];
      const claimed: string[] = [];
      await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
        for (;;) {
          const job = await stores[worker % stores.length].claimJob(`worker-${worker}`);
          if (!job) return;
          claimed.push(job.submissionId);
        }
      }));
      assert.equal(claimed.length, jobs);
      assert.equal(new Set(claimed).size, jobs);
    },
  },
  {
    name:
      "Store.claimJob() lets students take turns: a flood of one student's waits for the others",
    async fn({ store, clock }) {
      await student(store, "ada");
      await student(store, "bob");
      const ada = [];
      for (let i = 0; i < 3; i++) {
        ada.push(await submitted(store, "ada", "91-unlimited"));
        clock.advance(1);
      }
      const bob = await submitted(store, "bob", "91-unlimited");
      const first = await store.claimJob("w");
      assert.equal(first?.submissionId, ada[0], "the oldest goes first");
      clock.advance(10_000);
      assert.ok(await store.completeJob(first!, gradeFor(first!, 1)));
      // ada's next turn comes after her last grading finished: after bob's, queued before.
      assert.equal((await store.claimJob("w"))?.submissionId, bob);
      assert.equal((await store.claimJob("w"))?.submissionId, ada[1]);
    },
  },
  {
    name: "Store.claimJob() counts a failed try, or a lease that ran out, as the student's turn",
    async fn({ store, clock }) {
      // Red team, portal round 4: a try that ended without a grade kept the student's place,
      // so 5 submissions × 3 tries held a classmate up by 15 gradings.
      const { ada, bob } = await twoThenOne(store, clock);
      const first = await store.claimJob("w", { leaseMs: MINUTE });
      assert.equal(first?.submissionId, ada[0]);
      clock.advance(10_000);
      assert.equal(await store.failJob(first!, "the sandbox did not start"), "requeued");
      clock.advance(DAY); // Past the retry delay.
      const bobs = await store.claimJob("w");
      assert.equal(bobs?.submissionId, bob, "bob's turn comes before ada's second try");
      assert.ok(await store.completeJob(bobs!, gradeFor(bobs!, 1)));
      // ada's next try runs out of lease: bob's next submission goes before her retry.
      const second = await store.claimJob("w", { leaseMs: MINUTE });
      assert.equal(second?.student, "ada");
      const bobAgain = await submitted(store, "bob", "91-unlimited");
      clock.advance(2 * MINUTE);
      assert.equal((await store.claimJob("w"))?.submissionId, bobAgain);
    },
  },
  {
    name:
      "Store.claimJob() serves a student with nothing being graded before one with a grading under way",
    async fn({ store, clock }) {
      const { ada, bob } = await twoThenOne(store, clock);
      // Two workers: while ada's first is graded, bob's goes before her second.
      assert.equal((await store.claimJob("w1"))?.submissionId, ada[0]);
      assert.equal((await store.claimJob("w2"))?.submissionId, bob);
      assert.equal((await store.claimJob("w3"))?.submissionId, ada[1]);
    },
  },
  {
    name: "Store.submit() refuses a student's submission while MAX_PENDING of theirs wait",
    async fn({ store, clock }) {
      await student(store, "ada");
      await student(store, "bob");
      for (let i = 0; i < MAX_PENDING; i++) {
        await submitted(store, "ada", "91-unlimited");
        clock.advance(1);
      }
      const refused = await store.submit({
        student: "ada",
        exercise: "93-lower-is-better",
        files: files(),
      });
      assert.equal(refused.accepted, false);
      if (!refused.accepted) {
        assert.match(refused.reason, new RegExp(`^${MAX_PENDING} of your submissions are waiting`));
        assert.equal(refused.retryAt, undefined, "no time can be promised");
      }
      assert.equal((await store.listSubmissions("ada")).length, MAX_PENDING, "nothing stored");
      await submitted(store, "bob", "91-unlimited"); // Another student's queue is their own.
      const job = await store.claimJob("w");
      assert.equal(job?.student, "ada", "her oldest goes first");
      assert.ok(await store.completeJob(job!, gradeFor(job!, 1)));
      await submitted(store, "ada", "91-unlimited"); // One graded: room for one more.
    },
  },
  {
    name: "Store.claimJob() hands out the oldest submission first",
    async fn({ store, clock }) {
      await student(store, "ada");
      const first = await submitted(store, "ada", "91-unlimited");
      clock.advance(1);
      const second = await submitted(store, "ada", "91-unlimited");
      assert.equal((await store.claimJob("w"))?.submissionId, first);
      assert.equal((await store.claimJob("w"))?.submissionId, second);
    },
  },
  {
    name: "Store.completeJob() refuses a malformed grade or one for another submission",
    async fn({ store }) {
      await student(store, "ada");
      await submitted(store, "ada", "91-unlimited");
      const job = (await store.claimJob("w"))!;
      await assert.rejects(
        store.completeJob(job, { ...gradeFor(job, 1), score: Number.NaN }),
        /Cannot record the grade/,
      );
      await assert.rejects(
        store.completeJob(job, { ...gradeFor(job, 1), student: "bob" }),
        /grade of "bob\/91-unlimited"/,
      );
      assert.equal(await store.completeJob(job, gradeFor(job, 1)), true, "the lease survived");
    },
  },
  {
    name: "Store.leaderboard() ranks each student's best metric, ties to the earlier submission",
    async fn({ store, clock }) {
      for (const id of ["ada", "bob", "cy"]) await student(store, id);
      await store.createUser({ id: "ta", name: "The TA", role: "ta" });
      const at = (minutes: number) => new Date(clock.now().getTime() + minutes * MINUTE);
      const t0 = at(0);
      await graded(store, "ada", "92-limited", 8, 0.8);
      clock.advance(10 * MINUTE);
      await graded(store, "bob", "92-limited", 9, 0.9);
      clock.advance(10 * MINUTE);
      const adaBest = await graded(store, "ada", "92-limited", 6, 0.9);
      clock.advance(10 * MINUTE);
      await graded(store, "ada", "92-limited", 10, 0.9);
      await graded(store, "cy", "92-limited", 10, 0.7);
      await graded(store, "ta", "92-limited", 10, 1.0);
      const board = await store.leaderboard("92-limited");
      assert.deepEqual(board.map((r) => [r.rank, r.name, r.metric, r.score]), [
        [1, "BOB", 0.9, 9],
        [2, "ADA", 0.9, 6],
        [3, "CY", 0.7, 10],
      ]);
      assert.equal(board[1].submissionId, adaBest);
      assert.deepEqual(board[1].at, new Date(t0.getTime() + 20 * MINUTE));
    },
  },
  {
    name: "Store.leaderboard() ranks a lower-is-better metric ascending, and by score without one",
    async fn({ store }) {
      for (const id of ["ada", "bob"]) await student(store, id);
      await graded(store, "ada", "93-lower-is-better", 5, 0.3);
      await graded(store, "bob", "93-lower-is-better", 5, 0.1);
      assert.deepEqual((await store.leaderboard("93-lower-is-better")).map((r) => r.name), [
        "BOB",
        "ADA",
      ]);
      await graded(store, "ada", "91-unlimited", 4);
      await graded(store, "bob", "91-unlimited", 3);
      await graded(store, "bob", "91-unlimited", 2);
      const board = await store.leaderboard("91-unlimited");
      assert.deepEqual(board.map((r) => [r.name, r.score, r.metric]), [
        ["ADA", 4, null],
        ["BOB", 3, null],
      ]);
      await assert.rejects(store.leaderboard("00-nope"), RangeError);
    },
  },
  {
    name: "Store.progress() gives best score and attempts for every exercise",
    async fn({ store }) {
      await student(store, "ada");
      await graded(store, "ada", "91-unlimited", 4);
      await graded(store, "ada", "91-unlimited", 9);
      await graded(store, "ada", "91-unlimited", 6);
      await submitted(store, "ada", "92-limited");
      const progress = await store.progress("ada");
      assert.deepEqual(
        progress.map((p) => [p.exercise, p.attempts, p.bestScore, p.pending]),
        [
          ["91-unlimited", 3, 9, 0],
          ["92-limited", 1, null, 1],
          ["93-lower-is-better", 0, null, 0],
        ],
      );
      assert.ok(progress.every((p) => p.maxScore > 0));
      assert.deepEqual(await store.bestScores(), [
        { student: "ada", exercise: "91-unlimited", score: 9 },
      ]);
    },
  },
  {
    name: "Store.getSubmission() names the record and the field when a stored record is malformed",
    async fn({ store }) {
      await student(store, "ada");
      const id = await graded(store, "ada", "91-unlimited", 5);
      await store.engine.query(
        `UPDATE submissions SET result = jsonb_set(result, '{score}', '"high"') WHERE id = $1`,
        [id],
      );
      await assert.rejects(
        store.getSubmission(id),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(`Cannot read submission "${id}": the stored record`) &&
          error.message.includes("result.score"),
      );
    },
  },
]);
