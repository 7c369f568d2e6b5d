/**
 * A submission's status that follows the grading live: it listens to
 * `GET /api/submissions/:id/events` (queued → running → done or error) and, once graded,
 * reads the tests from `GET /api/submissions/:id`.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { points, TestResults, type TestRow } from "../components/TestResults.tsx";
import { call } from "./_api.ts";

/** A submission's state, as the page renders it first and the stream updates it. */
export interface LiveStatusProps {
  id: string;
  status: "queued" | "running" | "done" | "error";
  score: number | null;
  maxScore: number | null;
  /** The grader's summary, once graded. */
  summary: string | null;
  tests: TestRow[];
}

const WORDS: Record<LiveStatusProps["status"], string> = {
  queued: "Queued: waiting for a grader",
  running: "Running: your code is being tested",
  done: "Graded",
  error: "Not graded: the grading machinery failed (this cost you no attempt); try again later",
};

/**
 * Renders the status, and keeps it current while the submission is queued or running.
 *
 * @param props The submission as the server last saw it.
 * @returns The status line, the score and the tests.
 */
export default function LiveStatus(props: LiveStatusProps) {
  const [state, setState] = useState(props);
  const [notice, setNotice] = useState("");
  useEffect(() => {
    if (props.status === "done" || props.status === "error") return;
    const events = new EventSource(`/api/submissions/${encodeURIComponent(props.id)}/events`);
    events.addEventListener("status", async (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as { status: string };
      if (change.status !== "done" && change.status !== "error") {
        setState((old) => ({ ...old, status: change.status as LiveStatusProps["status"] }));
        return;
      }
      events.close();
      const answer = await call("GET", `/api/submissions/${encodeURIComponent(props.id)}`);
      if (answer.ok) setState(answer.data as unknown as LiveStatusProps);
      else setNotice(`Could not read the result: ${answer.error}. Reload the page.`);
    });
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) {
        setNotice("The live status stopped. Reload the page to see the result.");
      }
    };
    return () => events.close();
  }, [props.id, props.status]);
  return (
    <section aria-live="polite" class={`status ${state.status}`}>
      <p class="state" data-status={state.status}>{WORDS[state.status]}</p>
      {state.status === "done" && state.score !== null && state.maxScore !== null && (
        <p class="score">
          Score: <strong>{`${points(state.score)} / ${points(state.maxScore)}`}</strong>
        </p>
      )}
      {state.summary && <pre class="summary">{state.summary}</pre>}
      <TestResults tests={state.tests} />
      {notice && <p role="alert" class="error">{notice}</p>}
    </section>
  );
}
