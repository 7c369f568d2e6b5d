/**
 * The frame of every page: the document's head, the course's header with who is signed in,
 * and the page's own content.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import type { User } from "../store/mod.ts";
import { STATIC_PATH } from "../_assets.ts";
import { Island } from "./Island.tsx";
import SignOutButton from "../islands/SignOutButton.tsx";

/** The course's name, as pages show it. */
export const COURSE_NAME = "Machine learning for particle physics";

/** The props of {@linkcode Page}. */
export interface PageProps {
  /** The page's title, before the course's name. */
  title: string;
  /** Who is signed in, or `null`. */
  user: User | null;
  children: ComponentChildren;
}

/**
 * Renders a whole page.
 *
 * @param props The title, the user and the content.
 * @returns The `<html>` element.
 */
export function Page({ title, user, children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${COURSE_NAME}`}</title>
        <link rel="stylesheet" href={`${STATIC_PATH}style.css`} />
      </head>
      <body>
        <header class="site">
          <a class="home" href="/">{COURSE_NAME}</a>
          {user && (
            <nav aria-label="Account">
              <span class="who">
                {user.name} <span class="role">({user.role})</span>
              </span>
              <Island of={SignOutButton} props={{}} />
            </nav>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
