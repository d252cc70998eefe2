// CSV/TSV/space-separated tables read with csv-parse, with the header checked against what an importer needs.
import { parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';

export interface Table {
  file: string;
  header: string[];
  /** Rows as objects keyed by header name; `line` is the 1-based line in the file (header = line 1). */
  rows: { line: number; values: Record<string, string> }[];
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError('bad_input', code === 'ENOENT' ? `Missing file: ${file}` : `Cannot read ${file}: ${String(err)}`);
  }
}

function sniffDelimiter(firstLine: string): string {
  if (firstLine.includes('\t')) return '\t';
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes(';')) return ';';
  return ' ';
}

/** Reads a table with a header row; `required` columns must all be present (case-insensitive, trimmed). */
export async function readTable(file: string, required: string[]): Promise<Table> {
  const text = (await readText(file)).replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = sniffDelimiter(firstLine);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      ...(delimiter === ' ' ? { ignore_last_delimiters: true } : {}),
    }) as string[][];
  } catch (err) {
    throw new AppError('bad_input', `${basename(file)} is not a readable table: ${(err as Error).message}`);
  }
  if (delimiter === ' ') records = records.map((r) => r.filter((c) => c !== ''));
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = required.filter((c) => !header.includes(c.toLowerCase()));
  if (missing.length) {
    throw new AppError(
      'bad_input',
      `${basename(file)} lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; ` +
        `it has: ${header.map((h) => `"${h}"`).join(', ') || '(no header)'}`,
      { missing, header },
    );
  }
  const rows = records.slice(1).map((r, i) => ({
    line: i + 2,
    values: Object.fromEntries(header.map((h, j) => [h, r[j] ?? ''])),
  }));
  return { file, header, rows };
}

/** Reads a headerless whitespace/comma separated table (TID's mos_with_names.txt and the like). */
export async function readRows(file: string): Promise<{ line: number; cells: string[] }[]> {
  const text = (await readText(file)).replace(/^\uFEFF/, '');
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, cells: l.trim().split(/[\s,]+/).filter(Boolean) }))
    .filter((r) => r.cells.length > 0);
}
