// Application errors that cross every boundary (IPC, HTTP, CLI) as plain data.

export const ERROR_CODES = [
  'validation',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'too_large',
  'bad_input',
  'cancelled',
  'unsupported',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toJSON(): SerializedError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Throws the `not_found` error of a missing record: "No <what> with id <id>". */
  static notFound(what: string, id: number | string): never {
    throw new AppError('not_found', `No ${what} with id ${id}`);
  }

  static from(value: unknown): AppError {
    if (value instanceof AppError) return value;
    if (isSerializedError(value)) return new AppError(value.code, value.message, value.details);
    const message = value instanceof Error ? value.message : String(value);
    return new AppError('internal', message);
  }
}

export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && (ERROR_CODES as readonly unknown[]).includes(v.code);
}

/** HTTP status a serve-mode response carries for each error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  bad_input: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  too_large: 413,
  cancelled: 409,
  unsupported: 501,
  internal: 500,
};

/** The envelope every invoke returns, in both shells. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: SerializedError };
