// Reads one worksheet of an .xlsx file (exceljs) as plain rows, with header lookup for the importers that read Excel label files.
import ExcelJS from 'exceljs';
import { basename } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { readLabelFile } from './label-file';

export type CellValue = string | number | null;

export interface Sheet {
  file: string;
  name: string;
  /** Rows as the sheet has them, 1-based row numbers; empty cells are null. */
  rows: { row: number; cells: CellValue[] }[];
}

function plain(v: ExcelJS.CellValue | undefined): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('result' in v) return plain(v.result as ExcelJS.CellValue);
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('error' in v) return String(v.error);
  }
  return String(v);
}

/** Reads a worksheet: the one named `sheetName` (case-insensitive) when given, else the first. */
export async function readSheet(file: string, sheetName?: string): Promise<Sheet> {
  const bytes = await readLabelFile(file, basename(file));
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch (err) {
    throw new AppError('bad_input', `${basename(file)} is not a readable .xlsx workbook: ${(err as Error).message}`);
  }
  const ws = sheetName ? wb.worksheets.find((w) => w.name.trim().toLowerCase() === sheetName.toLowerCase()) : wb.worksheets[0];
  if (!ws) {
    throw new AppError(
      'bad_input',
      `${basename(file)} has no worksheet ${sheetName ? `"${sheetName}"` : ''}; it has: ${wb.worksheets.map((w) => `"${w.name}"`).join(', ') || '(none)'}`,
    );
  }
  const rows: Sheet['rows'] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: CellValue[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const v = plain(row.getCell(c).value);
      cells.push(typeof v === 'string' && !v.trim() ? null : v);
    }
    rows.push({ row: rowNumber, cells });
  });
  return { file, name: ws.name, rows };
}

export const cellText = (v: CellValue | undefined): string => (v === null || v === undefined ? '' : String(v).trim());

/** Column indexes (0-based) of the named header cells in the first row; a bad_input error names any that are missing. */
export function headerColumns(sheet: Sheet, required: string[], optional: string[] = []): Record<string, number> {
  const header = (sheet.rows[0]?.cells ?? []).map((c) => cellText(c));
  const lower = header.map((h) => h.toLowerCase().replace(/\s+/g, ' '));
  const out: Record<string, number> = {};
  const missing: string[] = [];
  for (const name of [...required, ...optional]) {
    const i = lower.indexOf(name.toLowerCase());
    if (i >= 0) out[name] = i;
    else if (required.includes(name)) missing.push(name);
  }
  if (missing.length) {
    throw new AppError(
      'bad_input',
      `${basename(sheet.file)} (sheet "${sheet.name}") lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; ` +
        `it has: ${header.filter(Boolean).map((h) => `"${h}"`).join(', ') || '(no header row)'}`,
      { missing, header },
    );
  }
  return out;
}
