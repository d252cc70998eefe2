// Collects everything wrong with an import, so the user gets one complete report instead of the first error.
import { AppError } from '../../../src-shared/api/errors';

export interface ImportProblem {
  file?: string;
  row?: number;
  message: string;
}

const SHOWN = 20;
/** Problems kept in an error's details (and so in a job); the full list goes to a downloadable report. */
export const KEPT_PROBLEMS = 100;

/** A problem's kind: its message with quoted values and numbers blanked, so 240,000 bad scores count as one kind. */
export function problemKind(message: string): string {
  return message.replace(/"[^"]*"/g, '"…"').replace(/[+-]?\d+(\.\d+)?([eE][+-]?\d+)?/g, 'N');
}

/** How many problems of each kind. */
export function countByKind(list: readonly ImportProblem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of list) {
    const k = problemKind(p.message);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The full list behind a capped error, for the job to write out as a report (not serialised with the error). */
export function fullProblemsOf(err: unknown): ImportProblem[] | null {
  const all = (err as { fullProblems?: unknown } | null)?.fullProblems;
  return Array.isArray(all) ? (all as ImportProblem[]) : null;
}

export class ImportProblems {
  readonly list: ImportProblem[] = [];

  add(message: string, where: { file?: string; row?: number } = {}): void {
    this.list.push({ ...where, message });
  }

  get count(): number {
    return this.list.length;
  }

  /**
   * Throws a bad_input AppError listing the problems: the first 20 in the message, the first 100 and the count of
   * each kind in details, and the whole list on a non-enumerable `fullProblems` (see fullProblemsOf).
   */
  throwIfAny(context: string): void {
    if (!this.list.length) return;
    const lines = this.list.slice(0, SHOWN).map(formatProblem);
    const more = this.list.length > SHOWN ? `\n  … and ${this.list.length - SHOWN} more` : '';
    const err = new AppError(
      'bad_input',
      `${context}: ${this.list.length} problem${this.list.length === 1 ? '' : 's'}; nothing was imported.\n  ${lines.join('\n  ')}${more}`,
      { problems: this.list.slice(0, KEPT_PROBLEMS), problemCount: this.list.length, byKind: countByKind(this.list) },
    );
    Object.defineProperty(err, 'fullProblems', { value: this.list, enumerable: false });
    throw err;
  }
}

export function formatProblem(p: ImportProblem): string {
  const where = [p.file, p.row !== undefined ? `row ${p.row}` : undefined].filter(Boolean).join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

/** Parses a number the way dataset files write them; NaN for anything else (caller reports it). */
export function parseNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return Number.NaN;
  const t = raw.trim();
  if (!t || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number.NaN;
  return Number(t);
}
