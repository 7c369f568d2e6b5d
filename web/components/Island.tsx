/**
 * Puts an island into a server-rendered page: the component rendered to HTML, inside an
 * element that tells the island's bundle (see `web/_assets.ts`) what to hydrate and with
 * which props, followed by the bundle's `<script type="module">` (a browser runs a module
 * once however often a page names it).
 *
 * @module
 */
import type { ComponentType } from "preact";
import { ISLANDS_PATH } from "../_assets.ts";

/** The props of {@linkcode Island}. */
export interface IslandProps<P> {
  /** The island: the default export of `web/islands/<Name>.tsx`, named `<Name>`. */
  of: ComponentType<P>;
  /** Its props: plain JSON data, sent to the browser as they are. */
  props: P;
}

/**
 * Renders an island and marks it for hydration.
 *
 * @param props The island and its props.
 * @returns The island's HTML, its marker and its script.
 */
export function Island<P extends object>({ of: Component, props }: IslandProps<P>) {
  const name = Component.name;
  return (
    <>
      <div class="island" data-island={name} data-props={JSON.stringify(props)}>
        <Component {...props} />
      </div>
      <script type="module" src={`${ISLANDS_PATH}${name}.js`} />
    </>
  );
}
