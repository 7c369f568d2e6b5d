import assert from "node:assert/strict";
import { ChildOutput } from "./child_output.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("ChildOutput.stdout() finds frames split across reads", () => {
  const output = new ChildOutput("abc");
  assert.deepEqual(output.stdout(bytes('abc {"type":')), []);
  assert.deepEqual(output.stdout(bytes('"ready"}\nabc {"type":"done"}\n')), [
    '{"type":"ready"}',
    '{"type":"done"}',
  ]);
  assert.equal(output.studentStdout, "");
  assert.equal(output.frameBytes, 41);
});

Deno.test("ChildOutput.stdout() separates student text, even on the frame's line", () => {
  const output = new ChildOutput("abc");
  const frames = output.stdout(bytes('progress: 50%abc {"type":"done"}\nbye\n'));
  assert.deepEqual(frames, ['{"type":"done"}']);
  assert.equal(output.studentStdout, "progress: 50%\nbye\n");
});

Deno.test("ChildOutput.stdout() treats lines without the nonce as student text", () => {
  const output = new ChildOutput("abc");
  assert.deepEqual(output.stdout(bytes('{"type":"done"}\nabd {"type":"done"}\n')), []);
  assert.equal(output.studentStdout, '{"type":"done"}\nabd {"type":"done"}\n');
});

Deno.test("ChildOutput.stdout() decodes a character cut between two reads", () => {
  const output = new ChildOutput("abc");
  const text = bytes("θ = 1\n");
  output.stdout(text.subarray(0, 1));
  output.stdout(text.subarray(1));
  assert.equal(output.studentStdout, "θ = 1\n");
  assert.equal(output.studentBytes, text.length);
});

Deno.test("ChildOutput keeps student text up to the cap but counts all of it", () => {
  const output = new ChildOutput("abc", { keepBytes: 4 });
  output.stdout(bytes("123456\n"));
  output.stderr(bytes("error!"));
  assert.equal(output.studentStdout, "1234");
  assert.equal(output.studentStderr, "erro");
  assert.equal(output.studentBytes, 13);
});

Deno.test("ChildOutput.end() makes an unterminated last line student text", () => {
  const output = new ChildOutput("abc");
  output.stdout(bytes('abc {"type":"done"}'));
  output.end();
  assert.equal(output.studentStdout, 'abc {"type":"done"}');
});

Deno.test("ChildOutput.stdout() never buffers a line longer than a frame may be", () => {
  const output = new ChildOutput("abc", { maxLineBytes: 8, keepBytes: 100 });
  assert.deepEqual(output.stdout(bytes("abc 0123456789")), []);
  assert.deepEqual(output.stdout(bytes("more\nabc 1\n")), ["1"]);
  assert.equal(output.studentStdout, "abc 0123456789more\n");
});

Deno.test("ChildOutput.stdout() hands each frame over where it stands in the student's text", () => {
  const output = new ChildOutput("n0");
  const seen: [string, string][] = [];
  output.stdout(
    bytes('first\nn0 {"type":"end"}\nsecond\nn0 {"type":"done"}\nthird\n'),
    (frame) => seen.push([frame, output.studentStdout]),
  );
  assert.deepEqual(seen, [
    ['{"type":"end"}', "first\n"],
    ['{"type":"done"}', "first\nsecond\n"],
  ]);
  assert.equal(output.studentStdout, "first\nsecond\nthird\n");
});

Deno.test("ChildOutput.stderr() finds the end marks, even cut between reads", () => {
  const output = new ChildOutput("abc");
  output.stderr(bytes("one\nab"));
  output.stderr(bytes("c end\ntwo"));
  output.stderr(bytes("abc e"));
  output.stderr(bytes("nd\n"));
  output.endStderr();
  assert.equal(output.studentStderr, "one\ntwo");
  assert.deepEqual(output.stderrMarks, [4, 7]);
  assert.equal(output.studentBytes, 7);
});

Deno.test("ChildOutput.endStderr() gives back text that only began like a mark", () => {
  const output = new ChildOutput("abc");
  output.stderr(bytes("tab"));
  assert.equal(output.studentStderr, "t");
  output.endStderr();
  assert.equal(output.studentStderr, "tab");
  assert.deepEqual(output.stderrMarks, []);
  assert.equal(output.studentBytes, 3);
});

Deno.test("ChildOutput.stderr() takes a mark without its nonce as student text", () => {
  const output = new ChildOutput("abc");
  output.stderr(bytes("abd end\n end\n"));
  output.endStderr();
  assert.equal(output.studentStderr, "abd end\n end\n");
  assert.deepEqual(output.stderrMarks, []);
});

Deno.test("ChildOutput.stdout() reads the same, however the output is cut into reads", () => {
  // Whole lines of printed text go over in one batch a read (red team, round 14: a line at
  // a time, a flood of empty lines cost the grader seconds a run); lines cut between reads,
  // frames and text before a frame go one at a time. Every cut must read alike.
  const text = 'héllo\n\n\nabc {"type":"ready"}\nwörld\n50%abc {"type":"done"}\n\n€ and a last';
  const read = (chunks: Uint8Array[]) => {
    const output = new ChildOutput("abc");
    const frames = chunks.flatMap((chunk) => output.stdout(chunk));
    output.end();
    return [frames, output.studentStdout, output.studentBytes, output.frameBytes];
  };
  const all = bytes(text);
  const whole = read([all]);
  assert.deepEqual(whole, [
    ['{"type":"ready"}', '{"type":"done"}'],
    "héllo\n\n\nwörld\n50%\n\n€ and a last",
    35, // é, ö and € are two, two and three bytes; "50%\n" is the student's
    44, // both frame lines, whole
  ]);
  for (let cut = 1; cut < all.length; cut++) {
    assert.deepEqual(read([all.subarray(0, cut), all.subarray(cut)]), whole, `cut at ${cut}`);
  }
  assert.deepEqual(read([...all].map((byte) => new Uint8Array([byte]))), whole, "byte by byte");
});
