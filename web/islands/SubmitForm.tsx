/**
 * The student's upload form: an exercise and its file (helper `.ts` files beside it are
 * allowed), sent to `POST /api/submissions`; once stored, the browser goes to the
 * submission's page, which follows the grading live.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { call } from "./_api.ts";

/** An exercise a student can submit to. */
export interface SubmittableExercise {
  id: string;
  title: string;
  /** The file to attach, such as `lms.ts`. */
  entry: string;
}

/**
 * Renders the form.
 *
 * @param props The course's exercises.
 * @returns The form, with what went wrong after a refused upload.
 */
export default function SubmitForm({ exercises }: { exercises: SubmittableExercise[] }) {
  const [exercise, setExercise] = useState(exercises[0]?.id ?? "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const entry = exercises.find((e) => e.id === exercise)?.entry ?? "";
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    const answer = await call(
      "POST",
      "/api/submissions",
      new FormData(event.currentTarget as HTMLFormElement),
    );
    setBusy(false);
    if (answer.ok) location.assign(`/submissions/${encodeURIComponent(String(answer.data.id))}`);
    else setError(answer.error);
  }
  return (
    <form class="card" onSubmit={submit}>
      <h2>Submit</h2>
      <label>
        Exercise{" "}
        <select
          name="exercise"
          value={exercise}
          onChange={(event) => setExercise(event.currentTarget.value)}
        >
          {exercises.map((e) => <option key={e.id} value={e.id}>{`${e.id}: ${e.title}`}</option>)}
        </select>
      </label>
      <label>
        File{entry && <span class="hint">{` (${entry}, and any helper .ts files)`}</span>}{" "}
        <input name="file" type="file" accept=".ts" multiple required />
      </label>
      <button type="submit" disabled={busy}>{busy ? "Uploading…" : "Submit for grading"}</button>
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}
