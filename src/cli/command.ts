/**
 * @module
 * What every sub-command module exports. Commands never end the process:
 * they return an exit code or throw (UsageError, SnareError); only main.ts
 * turns that into process.exitCode.
 */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly stopSignal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for `sipsnare --help`. */
  readonly summary: string;
  /** Full usage text for `sipsnare NAME --help`. */
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}
