/**
 * @module
 * Named operational errors with stable codes. Match on `code`, not on text.
 */
export type ErrorCode =
  'SNARE_ERR_USAGE' | 'SNARE_ERR_CONFIG' | 'SNARE_ERR_IO' | 'SNARE_ERR_STORE' | 'SNARE_ERR_INPUT';

export class SnareError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SnareError';
    this.code = code;
  }
}

/** Thrown by commands for a wrong command line; main prints it with the usage and exits 2. */
export class UsageError extends SnareError {
  constructor(message: string) {
    super('SNARE_ERR_USAGE', message);
    this.name = 'UsageError';
  }
}
