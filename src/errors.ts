/**
 * Errors a user can fix by changing their input. The CLI prints `message` alone (no stack trace) and exits
 * with `exitCode` (2: invalid input or usage). Every message names where the problem is — `file:line:col`
 * for files we parse, `file: key.path` for the policy — and the bad value.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** Several input problems reported together (e.g. every invalid catalog file), one per line. */
export class UserErrors extends UserError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], exitCode = 2) {
    super(problems.join('\n'), exitCode);
    this.name = 'UserErrors';
    this.problems = problems;
  }
}

/** A check that ran and failed (stale manifest, shrink guard, destroy guard): exit code 1. */
export class CheckFailed extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'CheckFailed';
  }
}
