/**
 * Server rendering of the portal's pages: a page's content inside {@linkcode Page},
 * rendered with `preact-render-to-string`, sent with headers that keep the page's own
 * scripts the only ones that run.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import { Island } from "./components/Island.tsx";
import { Page } from "./components/Page.tsx";
import SignInForm from "./islands/SignInForm.tsx";
import type { AppEnv } from "./_middleware.ts";

/**
 * The Content-Security-Policy of every page: scripts, styles and connections from the
 * portal only, and no inline script or style, so that markup which slipped into a page
 * could not run.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Answers with a page.
 *
 * @param c The request's context; its signed-in user appears in the page's header.
 * @param title The page's title.
 * @param content The page's content.
 * @param status The status.
 * @returns The HTML response.
 */
export function renderPage(
  c: Context<AppEnv>,
  title: string,
  content: ComponentChildren,
  status: ContentfulStatusCode = 200,
): Response {
  const user = c.get("state")?.user ?? null;
  const html = renderToString(<Page title={title} user={user}>{content}</Page>);
  return c.html(`<!doctype html>\n${html}`, status, {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
  });
}

/**
 * Answers a page's request that failed with a page that says why; one that needs a
 * signed-in user gets the sign-in form, after which the page loads again.
 *
 * @param c The request's context.
 * @param status The status.
 * @param message What went wrong.
 * @returns The HTML response.
 */
export function renderErrorPage(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  message: string,
): Response {
  const title = status === 401 ? "Sign in" : status === 404 ? "Not found" : `Error ${status}`;
  return renderPage(
    c,
    title,
    <>
      <h1>{title}</h1>
      <p class={status === 401 ? "" : "error"}>
        {status === 401 ? "Sign in to see this page." : message}
      </p>
      {status === 401 ? <Island of={SignInForm} props={{}} /> : (
        <p>
          <a href="/">Front page</a>
        </p>
      )}
    </>,
    status,
  );
}
