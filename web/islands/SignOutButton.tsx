/**
 * The header's sign-out button: ends the session (`DELETE /api/session`) and goes to the
 * front page.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { call } from "./_api.ts";

/**
 * Renders the button.
 *
 * @returns The button, and what went wrong if signing out failed.
 */
export default function SignOutButton() {
  const [error, setError] = useState("");
  async function signOut() {
    const answer = await call("DELETE", "/api/session");
    if (answer.ok) location.assign("/");
    else setError(answer.error);
  }
  return (
    <span>
      <button type="button" class="link" onClick={signOut}>Sign out</button>
      {error && <span role="alert" class="error">{error}</span>}
    </span>
  );
}
