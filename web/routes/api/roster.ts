/**
 * `POST /api/roster` takes a CSV roster (`id,name,email`, header optional) and creates the
 * students who do not exist yet, answering with their invite codes (instructors only).
 *
 * @module
 */
import { z } from "zod";
import { HttpError, json, readBody } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** One roster line. The email is accepted for the registrar's format but not kept. */
export const RosterRowSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "an id has 1 to 64 letters, digits, . _ -"),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    requireUser(c, "instructor");
    const portal = c.get("portal");
    const text = new TextDecoder().decode(await readBody(c.req.raw, portal.maxJsonBytes));
    const lines = parseCsv(text).filter((fields) => fields.some((field) => field.trim() !== ""));
    if (lines[0]?.[0]?.trim().toLowerCase() === "id") lines.shift();
    if (lines.length === 0) throw new HttpError(400, "Invalid request: the roster is empty");
    const rows = lines.map(([id = "", name, email], i) => {
      const row = RosterRowSchema.safeParse({
        id: id.trim(),
        name: name?.trim() || undefined,
        email: email?.trim() || undefined,
      });
      if (!row.success) {
        const issue = row.error.issues[0];
        throw new HttpError(
          400,
          `Invalid roster line ${i + 1}: ${issue?.path.join(".")}: ${issue?.message}`,
        );
      }
      return row.data;
    });
    const { created, existing } = await portal.store.importRoster(rows);
    return json(c, {
      created: created.map(({ user, inviteCode }) => ({
        id: user.id,
        name: user.name,
        inviteCode,
      })),
      existing,
    });
  },
};

/** Splits CSV text into rows of fields, with RFC 4180 quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      rows.push([...row, field]);
      row = [];
      field = "";
    } else field += char;
  }
  if (quoted) throw new HttpError(400, "Invalid request: the roster has an unclosed quote");
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}
