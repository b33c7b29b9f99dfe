import { untrusted } from './untrusted.ts';

/**
 * An error meant for the user: it says what went wrong and how to fix it (the
 * fix is required: every failure line names one), and never carries a secret or
 * a request body (callers build it from safe parts only).
 */
export class ActionError extends Error {
  readonly fix: string;

  constructor(message: string, fix: string) {
    super(message);
    this.name = 'ActionError';
    this.fix = fix;
  }
}

/** The one line printed for a failure: the cause, then the fix. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActionError) return `${error.message} Fix: ${error.fix}`;
  // An unexpected error is a bug of ours: name it without dumping objects that may hold secrets.
  // Its text may quote anything, an answer among it.
  const detail = untrusted(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 300);
  return `gemini-auth failed unexpectedly (${detail}). Fix: Please report it at https://github.com/gemini-auth/gemini-auth/issues with the step's log.`;
}
