/**
 * Makes a personal API token for `deno task submit` (`POST /api/tokens`) and shows it once,
 * with the two lines that use it. The portal keeps only its hash.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { call } from "./_api.ts";

/**
 * Renders the form, then the new token.
 *
 * @param props The portal's address, for the `PORTAL_URL` line.
 * @returns The form and, once made, the token.
 */
export default function TokenForm({ portalUrl }: { portalUrl: string }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  async function create(event: SubmitEvent) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get("name") ?? "");
    const answer = await call("POST", "/api/tokens", name ? { name } : {});
    if (answer.ok) {
      setToken(String(answer.data.token));
      setError("");
    } else {
      setError(answer.error);
    }
  }
  return (
    <form class="card" onSubmit={create}>
      <h2>Submit from a terminal</h2>
      <label>
        Token name <span class="hint">(optional, such as the machine it is for)</span>
        <input name="name" maxLength={100} />
      </label>
      <button type="submit">Make a personal token</button>
      {error && <p role="alert" class="error">{error}</p>}
      {token && (
        <div class="token">
          <p>Your token, shown only now; keep it like a password:</p>
          <pre>{`export PORTAL_URL=${portalUrl}\nexport PORTAL_TOKEN=${token}\ndeno task submit 02-lms`}</pre>
        </div>
      )}
    </form>
  );
}
