/**
 * The first start's form: creates the first instructor with the one-time token from the
 * address's `#fragment` (which never reaches the server's logs) through `POST /api/setup`,
 * which also signs them in.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { call } from "./_api.ts";

/**
 * Renders the form.
 *
 * @returns The form, then the outcome.
 */
export default function SetupForm() {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  async function create(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(form.get("name") ?? "");
    const answer = await call("POST", "/api/setup", {
      token: location.hash.slice(1),
      id: form.get("id"),
      password: form.get("password"),
      ...(name ? { name } : {}),
    });
    if (answer.ok) {
      const user = answer.data.user as { id: string };
      setOutcome({ ok: true, text: `Done: you are signed in as ${user.id}.` });
    } else {
      setOutcome({ ok: false, text: `Not done: ${answer.error}` });
    }
  }
  return (
    <>
      <form class="card" onSubmit={create}>
        <label>
          Id <input name="id" required pattern="[A-Za-z0-9._\-]{1,64}" autocomplete="username" />
        </label>
        <label>
          Name <input name="name" autocomplete="name" />
        </label>
        <label>
          Password{" "}
          <input
            name="password"
            type="password"
            required
            minLength={8}
            autocomplete="new-password"
          />
        </label>
        <button type="submit">Create</button>
      </form>
      <p role="status" class={outcome?.ok === false ? "error" : ""}>
        {outcome?.text}
        {outcome?.ok && (
          <>
            {" "}
            <a href="/">Go to the portal</a>
          </>
        )}
      </p>
    </>
  );
}
