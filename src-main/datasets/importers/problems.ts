// Collects everything wrong with an import, so the user gets one complete report instead of the first error.
import { AppError } from '../../../src-shared/api/errors';

export interface ImportProblem {
  file?: string;
  row?: number;
  message: string;
}

const SHOWN = 20;

export class ImportProblems {
  readonly list: ImportProblem[] = [];

  add(message: string, where: { file?: string; row?: number } = {}): void {
    this.list.push({ ...where, message });
  }

  get count(): number {
    return this.list.length;
  }

  /** Throws a bad_input AppError listing the problems (the first 20 in the message, all in details). */
  throwIfAny(context: string): void {
    if (!this.list.length) return;
    const lines = this.list.slice(0, SHOWN).map(formatProblem);
    const more = this.list.length > SHOWN ? `\n  … and ${this.list.length - SHOWN} more` : '';
    throw new AppError(
      'bad_input',
      `${context}: ${this.list.length} problem${this.list.length === 1 ? '' : 's'}; nothing was imported.\n  ${lines.join('\n  ')}${more}`,
      { problems: this.list },
    );
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
