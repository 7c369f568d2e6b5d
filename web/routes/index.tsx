/**
 * `GET /` is the portal's front page: the sign-in form for a visitor; a student's progress,
 * latest submissions, upload form and a personal token for `deno task submit`; for staff, the class's best scores and the gradebook.
 *
 * @module
 */
import type { Context } from "hono";
import { EXERCISES } from "../../course/metadata.ts";
import { ClassTable } from "../components/ClassTable.tsx";
import { Island } from "../components/Island.tsx";
import { ProgressTable } from "../components/ProgressTable.tsx";
import SignInForm from "../islands/SignInForm.tsx";
import SubmitForm from "../islands/SubmitForm.tsx";
import TokenForm from "../islands/TokenForm.tsx";
import type { Submission, User } from "../store/mod.ts";
import { type AppEnv, type Handlers, isStaff } from "../_middleware.ts";
import { renderPage } from "../_render.tsx";
import { tokenSummary } from "./api/tokens.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  GET(c) {
    const { user } = c.get("state");
    if (!user) return welcome(c);
    return isStaff(user) ? staffHome(c) : studentHome(c, user);
  },
};

function welcome(c: Context<AppEnv>): Response {
  return renderPage(
    c,
    "Course portal",
    <>
      <h1>Course portal</h1>
      <p>
        Sign in to submit your exercises and follow their grading. From a terminal,{" "}
        <code>deno task submit &lt;exercise-id&gt;</code> does the same with a personal token.
      </p>
      <Island of={SignInForm} props={{}} />
    </>,
  );
}

async function studentHome(c: Context<AppEnv>, student: User): Promise<Response> {
  const { store } = c.get("portal");
  const [progress, submissions, tokens] = await Promise.all([
    store.progress(student.id),
    store.listSubmissions(student.id),
    store.listApiTokens(student.id),
  ]);
  const latest = new Map<string, Submission>();
  for (const submission of submissions) {
    if (!latest.has(submission.exercise)) latest.set(submission.exercise, submission);
  }
  return renderPage(
    c,
    "Your exercises",
    <>
      <h1>Your exercises</h1>
      <ProgressTable exercises={EXERCISES} progress={progress} latest={latest} />
      <Island
        of={SubmitForm}
        props={{ exercises: EXERCISES.map(({ id, title, entry }) => ({ id, title, entry })) }}
      />
      <Island
        of={TokenForm}
        props={{
          portalUrl: c.get("portal").origin,
          tokens: tokens.map(tokenSummary),
        }}
      />
    </>,
  );
}

async function staffHome(c: Context<AppEnv>): Promise<Response> {
  const { store } = c.get("portal");
  const [students, scores] = await Promise.all([
    store.listUsers({ role: "student" }),
    store.bestScores(),
  ]);
  return renderPage(
    c,
    "The class",
    <>
      <h1>The class</h1>
      <p>
        <a href="/api/grades.csv" download="grades.csv">Download the gradebook (grades.csv)</a>{" "}
        — the same columns as <code>deno task grade</code>.
      </p>
      <ClassTable exercises={EXERCISES} students={students} scores={scores} />
    </>,
  );
}
