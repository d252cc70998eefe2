// CSV/TSV/space-separated tables read with csv-parse, with the header checked against what an importer needs.
import { parse } from 'csv-parse/sync';
import { basename } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { readLabelFile } from './label-file';

export interface Table {
  file: string;
  header: string[];
  /** Rows as objects keyed by header name; `line` is the 1-based line in the file (header = line 1). */
  rows: { line: number; values: Record<string, string> }[];
}

/** A label file's text (a resolved path, see label-file.ts); binary data is refused instead of parsed. */
export async function readText(file: string): Promise<string> {
  const bytes = await readLabelFile(file, basename(file));
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.slice(0, 65536).includes('\0') || (text.match(/\uFFFD/g)?.length ?? 0) > 8) {
    throw new AppError('bad_input', `${basename(file)} is not a text table (it holds binary data); give the CSV or text file with the labels`);
  }
  return text;
}

function sniffDelimiter(firstLine: string): string {
  if (firstLine.includes('\t')) return '\t';
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes(';')) return ';';
  return ' ';
}

/** csv-parse's error codes in words; its own messages quote the file's text, so they are not passed on. */
const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by more text in the same field',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'rows have different numbers of fields',
};

/** A header cell as shown in an error: printable, and short. */
const shownColumn = (h: string) => JSON.stringify(h.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?').slice(0, 40));

/** Drops the ' that CSV writers (src-shared/csv.ts among them) put before a cell that starts like a formula. */
const unguard = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

/** Reads a table with a header row; `required` columns must all be present (case-insensitive, trimmed). */
export async function readTable(file: string, required: string[]): Promise<Table> {
  const text = await readText(file);
  if (!text.trim()) throw new AppError('bad_input', `${basename(file)} is empty; expected a header row${required.length ? ` with the columns ${required.join(', ')}` : ''} and one row per image`);
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
    const { code, lines } = err as { code?: string; lines?: number };
    throw new AppError('bad_input', `${basename(file)} is not a readable table: ${CSV_ERRORS[code ?? ''] ?? 'it is not valid CSV'}${lines ? ` (line ${lines})` : ''}`);
  }
  if (delimiter === ' ') records = records.map((r) => r.filter((c) => c !== ''));
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = required.filter((c) => !header.includes(c.toLowerCase()));
  if (missing.length) {
    throw new AppError(
      'bad_input',
      `${basename(file)} lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; ` +
        `it has: ${header.slice(0, 20).map(shownColumn).join(', ') || '(no header)'}${header.length > 20 ? ` and ${header.length - 20} more` : ''}`,
      { missing },
    );
  }
  const rows = records.slice(1).map((r, i) => ({
    line: i + 2,
    values: Object.fromEntries(header.map((h, j) => [h, unguard(r[j] ?? '')])),
  }));
  return { file, header, rows };
}

/** Reads a headerless whitespace/comma separated table (TID's mos_with_names.txt and the like). */
export async function readRows(file: string): Promise<{ line: number; cells: string[] }[]> {
  const text = await readText(file);
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, cells: l.trim().split(/[\s,]+/).filter(Boolean) }))
    .filter((r) => r.cells.length > 0);
}
