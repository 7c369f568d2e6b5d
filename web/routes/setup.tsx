/**
 * `GET /setup` is the first start's page: the form that creates the first instructor with
 * the one-time token in the address's `#fragment` (see `islands/SetupForm.tsx`).
 *
 * @module
 */
import { Island } from "../components/Island.tsx";
import SetupForm from "../islands/SetupForm.tsx";
import type { Handlers } from "../_middleware.ts";
import { renderPage } from "../_render.tsx";

/** The route's handlers, by method. */
export const handler: Handlers = {
  GET(c) {
    return renderPage(
      c,
      "Create the first instructor",
      <>
        <h1>Create the first instructor</h1>
        <p>
          This page works once, with the link the portal printed when it first started. The
          instructor it creates can then add staff and import the roster.
        </p>
        <Island of={SetupForm} props={{}} />
      </>,
    );
  },
};
