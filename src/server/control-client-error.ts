/** Errors of the control client (the CLI side of the control API). */
export type ControlClientErrorCode =
  | 'CONTROL_NOT_RUNNING'
  | 'CONTROL_BAD_FILE'
  | 'CONTROL_NOT_LOOPBACK'
  | 'CONTROL_UNREACHABLE'
  | 'CONTROL_REFUSED'
  | 'CONTROL_FAILED';

export class ControlClientError extends Error {
  constructor(
    readonly code: ControlClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ControlClientError';
  }
}
