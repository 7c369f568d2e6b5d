/**
 * `GET /` is the portal's front page: for now, a sign that the server is up and where its
 * JSON interface lives.
 *
 * @module
 */
import type { Handlers } from "../_middleware.ts";

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Course portal</title></head>
<body>
<main>
<h1>Machine learning for particle physics: course portal</h1>
<p>The portal is running. Submit with <code>deno task submit &lt;exercise-id&gt;</code>;
scripts use the JSON routes under <code>/api/</code>.</p>
</main>
</body>
</html>
`;

/** The route's handlers, by method. */
export const handler: Handlers = {
  GET(c) {
    return c.html(PAGE);
  },
};
