/**
 * `POST /api/submissions` stores a student's files for grading (multipart: `exercise` and
 * one or more `file`) and answers 202 with the submission's id once it is stored. An empty
 * (or whitespace-only) entry file is refused with 400 and costs no attempt.
 *
 * @module
 */
import { z } from "zod";
import { isBlank } from "../../../course/cli.ts";
import { EXERCISES } from "../../../course/metadata.ts";
import { HttpError, json, parse, readBody } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** A submitted file's name: the entry file or a helper `.ts` beside it. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}\.ts$/;

/** The most files a submission may hold. */
const MAX_FILES = 20;

/**
 * A multipart content type's boundary, where the type is written as browsers, curl and
 * `deno task submit` write it: `multipart/form-data; boundary=<token>`, the token unquoted,
 * and no other parameter. Anything else (a quoted boundary with escapes, a second boundary,
 * a parameter whose quoted value hides one) is refused: the part count below must see the
 * boundary the form's parser uses, and a red team made the two disagree.
 */
const CONTENT_TYPE =
  /^multipart\/form-data;[ \t]*boundary=([0-9A-Za-z'()+_,.\/:=?-]{1,70})[ \t]*$/i;

/** How many parts a multipart body has, at most: the count of its delimiter lines. */
function countParts(boundary: string, body: Uint8Array): number {
  // Latin-1 maps each byte to one character, so the search runs on the bytes as they are.
  const text = new TextDecoder("latin1").decode(body);
  const delimiter = `--${boundary}`;
  let count = 0;
  for (let at = text.indexOf(delimiter); at >= 0; at = text.indexOf(delimiter, at + 1)) count++;
  return Math.max(0, count - 1); // The last delimiter closes the body.
}

/** The submission's form fields. */
export const SubmissionFormSchema = z.object({
  exercise: z.string().min(1).max(100),
  files: z.array(
    z.object({
      name: z.string().regex(FILE_NAME, "a file is the entry file or a helper .ts file"),
      content: z.instanceof(Uint8Array),
    }),
  ).min(1, "attach the exercise's file as `file`").max(MAX_FILES, `at most ${MAX_FILES} files`),
});

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    const student = requireUser(c, "student");
    const portal = c.get("portal");
    const boundary = (c.req.header("content-type") ?? "").match(CONTENT_TYPE)?.[1];
    if (boundary === undefined) {
      throw new HttpError(
        400,
        "Invalid request: send multipart/form-data; boundary=<token> with exercise and file",
      );
    }
    const body = await readBody(c.req.raw, portal.maxUploadBytes);
    // Parsing a form costs time per part, on the thread that serves everyone: thousands of
    // one-byte parts under the size cap are refused before they are parsed.
    if (countParts(boundary, body) > MAX_FILES + 4) {
      throw new HttpError(400, `Invalid request: at most ${MAX_FILES} files`);
    }
    let form: FormData;
    try {
      // The parser gets the boundary that was counted, and nothing else.
      form = await new Request("http://portal.invalid/", {
        method: "POST",
        headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
        body,
      }).formData();
    } catch {
      throw new HttpError(400, "Invalid request: the multipart body is malformed");
    }
    const files = await Promise.all(
      form.getAll("file").map(async (file) => {
        if (!(file instanceof File)) {
          throw new HttpError(400, "Invalid request: file is not a file");
        }
        return { name: file.name, content: new Uint8Array(await file.arrayBuffer()) };
      }),
    );
    const submission = parse(SubmissionFormSchema, { exercise: form.get("exercise"), files });
    const exercise = EXERCISES.find((e) => e.id === submission.exercise);
    if (!exercise) {
      throw new HttpError(400, `Invalid request: unknown exercise "${submission.exercise}"`);
    }
    const names = submission.files.map((file) => file.name);
    if (!names.includes(exercise.entry)) {
      throw new HttpError(400, `Invalid request: the submission needs ${exercise.entry}`);
    }
    if (new Set(names).size !== names.length) {
      throw new HttpError(400, "Invalid request: a file name appears twice");
    }
    // An empty entry file can only score 0: refused before it is stored, it costs no attempt.
    const entry = submission.files.find((file) => file.name === exercise.entry)!;
    if (isBlank(entry.content)) {
      throw new HttpError(
        400,
        `Invalid request: ${exercise.entry} is empty; submit the file with your work in it ` +
          "(this cost no attempt)",
      );
    }
    const outcome = await portal.store.submit({
      student: student.id,
      exercise: exercise.id,
      files: Object.fromEntries(submission.files.map((file) => [file.name, file.content])),
    });
    if (!outcome.accepted) {
      throw new HttpError(
        429,
        outcome.reason,
        outcome.retryAt ? { retryAt: outcome.retryAt.toISOString() } : {},
      );
    }
    portal.notifier.publish({ submission: outcome.submission.id, student: student.id });
    // Beyond SPEC §6's `{id}`: the status it was stored with, so a client can say it is
    // queued even if a worker takes it before the client's status stream connects.
    return json(c, { id: outcome.submission.id, status: outcome.submission.status }, 202);
  },
};
