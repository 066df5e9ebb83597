/**
 * @module
 * The command-line entry point: dispatches to one module per sub-command
 * (src/cli/commands/NAME.ts) and is the only place that sets the exit code.
 */
import { readFileSync } from 'node:fs';
import { SnareError, UsageError } from '../errors.js';
import type { Command, CommandIo } from './command.js';

/** Sub-commands, loaded on demand so `sipsnare number` does not load DuckDB. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  run: () => import('./commands/run.js'),
  sensor: () => import('./commands/sensor.js'),
  ingest: () => import('./commands/ingest.js'),
  report: () => import('./commands/report.js'),
  number: () => import('./commands/number.js'),
  simulate: () => import('./commands/simulate.js'),
  ship: () => import('./commands/ship.js'),
  collect: () => import('./commands/collect.js'),
  export: () => import('./commands/export.js'),
  serve: () => import('./commands/serve.js'),
};

async function help(io: CommandIo): Promise<void> {
  const lines = [
    'usage: sipsnare COMMAND [options]   (sipsnare COMMAND --help for details; sipsnare --version)',
    '',
  ];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  io.stdout.write(lines.join('\n') + '\n');
}

/** The version of package.json, two levels up from src/cli and from dist/cli. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const io: CommandIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stopSignal: controller.signal,
  };
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`sipsnare ${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await help(io);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`sipsnare: unknown command "${name}"\n`);
    await help(io);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`sipsnare ${name}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (err instanceof SnareError) {
      io.stderr.write(`sipsnare ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `sipsnare: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
