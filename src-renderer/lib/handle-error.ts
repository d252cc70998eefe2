// One funnel for errors shown to the user.
import { AppError } from '../../src-shared/api/errors';

export function errorMessage(err: unknown): string {
  const e = AppError.from(err);
  return e.code === 'internal' ? `Something went wrong: ${e.message}` : e.message;
}
