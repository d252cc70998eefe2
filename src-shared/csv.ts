// Every CSV the app writes (exports, archives, reports, the CLI, the renderer's downloads): RFC 4180 by csv-stringify, and a cell a spreadsheet would run as a formula (= + - @ tab CR first) gets a leading '.
import { stringify } from 'csv-stringify/browser/esm/sync';

export type CsvCell = string | number | boolean | null | undefined;

/** Rows (after an optional header) as CSV text; numbers at full precision, non-finite numbers and null as empty cells. */
export function toCsv(header: readonly string[] | null, rows: readonly (readonly CsvCell[])[], eol: '\n' | '\r\n' = '\n'): string {
  const records = (header ? [header, ...rows] : rows).map((r) => r.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  return stringify(records as unknown[][], {
    record_delimiter: eol,
    escape_formulas: true,
    // csv-stringify quotes only the record delimiter in use; a lone CR or LF in a cell must be quoted too.
    quoted_match: /[\r\n]/,
    cast: { boolean: (v: boolean) => (v ? '1' : '0') },
  });
}

/** One CSV line (with its line end), for writers that stream rows. */
export const csvLine = (cells: readonly CsvCell[]): string => toCsv(null, [cells]);
