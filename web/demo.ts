/**
 * `deno task start --demo`: fills an empty store with the sample class (see
 * `fixtures/sample_class.ts`) as signed-up students with queued submissions, plus an
 * instructor and a TA, so that every page of the portal has something to show. The queue's
 * workers grade the submissions as they would any other.
 *
 * @module
 */
import { join } from "node:path";
import { exerciseById } from "../course/metadata.ts";
import { materializeSampleClass } from "../fixtures/sample_class.ts";
import type { Role, Store } from "./store/mod.ts";

/** The display names of the sample class's students; never equal to their ids. */
const STUDENT_NAMES: Readonly<Record<string, string>> = {
  ada: "Ada L.",
  bruno: "Bruno M.",
  chen: "Chen W.",
  dana: "Dana K.",
  emil: "Emil N.",
  farah: "Farah H.",
};

/** One demo account, with the password that signs it in. */
export interface DemoCredential {
  id: string;
  name: string;
  role: Role;
  password: string;
}

/** What {@linkcode loadDemo} created. */
export interface DemoLoad {
  /** The accounts, staff first; the passwords are not stored anywhere else in clear. */
  credentials: DemoCredential[];
  /** How many submissions were queued for grading. */
  queued: number;
}

/** A random password of 16 URL-safe characters (96 bits). */
function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * Loads the sample class into a store that has no users yet: an instructor
 * (`demo-instructor`), a TA (`demo-ta`) and one student per student of the sample class,
 * each with a random password, and each sample submission queued through
 * {@linkcode Store.submit}.
 *
 * @param store The portal's store.
 * @returns The accounts and the number of submissions queued, or `null` if the store already
 *   has users (nothing is changed then).
 *
 * @example Load the demo into an empty store
 * ```ts ignore
 * const demo = await loadDemo(store);
 * if (demo) console.log(`${demo.queued} submissions queued`);
 * ```
 */
export async function loadDemo(store: Store): Promise<DemoLoad | null> {
  if ((await store.listUsers()).length > 0) return null;
  const folder = await Deno.makeTempDir({ prefix: "portal-demo-" });
  try {
    const submissions = await materializeSampleClass(folder);
    const students = [...new Set(submissions.map((submission) => submission.student))];
    const accounts: Omit<DemoCredential, "password">[] = [
      { id: "demo-instructor", name: "Demo Instructor", role: "instructor" },
      { id: "demo-ta", name: "Demo TA", role: "ta" },
      ...students.map((id) => ({
        id,
        name: STUDENT_NAMES[id] ?? `Student ${id}`,
        role: "student" as const,
      })),
    ];
    const credentials: DemoCredential[] = [];
    for (const account of accounts) {
      const password = randomPassword();
      await store.createUser({ ...account, password });
      credentials.push({ ...account, password });
    }
    let queued = 0;
    for (const { student, exercise } of submissions) {
      const entry = exerciseById(exercise).entry;
      const content = await Deno.readFile(join(folder, student, exercise, entry));
      const outcome = await store.submit({ student, exercise, files: { [entry]: content } });
      if (outcome.accepted) queued++;
    }
    return { credentials, queued };
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}
