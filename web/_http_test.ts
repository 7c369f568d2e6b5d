import assert from "node:assert/strict";
import { HttpError, readBody } from "./_http.ts";

Deno.test("readBody() gives up on a body that arrives too slowly, and cancels it", async () => {
  // A client that sends a byte now and then and never finishes (portal red team: 3000 such
  // connections held 5 GB of the server's memory).
  let cancelled = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const trickle = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => controller.enqueue(new Uint8Array(1)), 10);
    },
    cancel() {
      cancelled = true;
      clearInterval(timer);
    },
  });
  const request = new Request("http://portal.test/", { method: "POST", body: trickle });
  const error = await readBody(request, 1024, 100).catch((e) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 408);
  assert.equal(error.message, "The request body took more than 0.1 s to arrive");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(cancelled, "the body's stream is cancelled");
});

Deno.test("readBody() reads a body that arrives in time, whole", async () => {
  const request = new Request("http://portal.test/", { method: "POST", body: "hello" });
  assert.equal(new TextDecoder().decode(await readBody(request, 1024, 1000)), "hello");
});
