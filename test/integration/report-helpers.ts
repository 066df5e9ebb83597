/**
 * Runs `sipsnare report` in-process (the real command module) and captures
 * what it writes.
 */
import { Writable } from 'node:stream';
import { command } from '../../src/cli/commands/report.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The command's exit code and output; a thrown SnareError is reported as code 1 or 2, like main.ts. */
export async function runReport(args: string[]): Promise<RunResult> {
  const out = sink();
  const err = sink();
  const controller = new AbortController();
  let code: number;
  try {
    code = await command.run(args, {
      stdout: out.stream,
      stderr: err.stream,
      stopSignal: controller.signal,
    });
  } catch (e) {
    const name = e instanceof Error ? e.name : '';
    err.stream.write(e instanceof Error ? e.message : String(e));
    code = name === 'UsageError' ? 2 : 1;
  }
  return { code, stdout: out.text(), stderr: err.text() };
}
