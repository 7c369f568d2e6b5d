/**
 * The sign-in form: sends the id and password to `POST /api/session` and, once the
 * session cookie is set, reloads the page, which the server now renders for the user.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { call } from "./_api.ts";

/**
 * Renders the form.
 *
 * @returns The form, with what went wrong after a failed attempt.
 */
export default function SignInForm() {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function signIn(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    const answer = await call("POST", "/api/session", {
      id: form.get("id"),
      password: form.get("password"),
    });
    setBusy(false);
    if (answer.ok) location.reload();
    else setError(answer.error);
  }
  return (
    <form class="card" onSubmit={signIn} method="post" action="/api/session">
      <h2>Sign in</h2>
      <label>
        Id <input name="id" autocomplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}
