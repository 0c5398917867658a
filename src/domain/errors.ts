/**
 * The one error type of ticketrelay. `code` is namespaced ('ticket.not_found', 'db.unavailable');
 * `details` must be safe to log (never a secret, never a whole email); `retryable` says whether the
 * same work may succeed later (the database came back) or never will (the email cannot be parsed).
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A message safe to show to a person, whatever was thrown. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
