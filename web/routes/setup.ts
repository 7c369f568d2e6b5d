/**
 * `GET /setup` is the first start's page: a form that sends the setup token from the
 * address's `#fragment` (which never reaches the server's logs) with the first
 * instructor's id, name and password to `POST /api/setup`.
 *
 * @module
 */
import type { Handlers } from "../_middleware.ts";

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Course portal: first instructor</title></head>
<body>
<main>
<h1>Create the first instructor</h1>
<form id="setup">
<p><label>Id <input name="id" required pattern="[A-Za-z0-9._-]{1,64}"></label></p>
<p><label>Name <input name="name"></label></p>
<p><label>Password <input name="password" type="password" required minlength="8"></label></p>
<p><button>Create</button></p>
</form>
<p id="result" role="status"></p>
</main>
<script>
document.getElementById("setup").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { token: location.hash.slice(1), id: form.get("id"), password: form.get("password") };
  if (form.get("name")) body.name = form.get("name");
  const response = await fetch("/api/setup", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  document.getElementById("result").textContent = response.ok
    ? "Done: you are signed in as " + answer.user.id + "."
    : "Not done: " + answer.error;
});
</script>
</body>
</html>
`;

/** The route's handlers, by method. */
export const handler: Handlers = {
  GET(c) {
    return c.html(PAGE);
  },
};
