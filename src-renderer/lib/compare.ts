// Pure helpers of the Runs / Compare screen (no DOM): config flattening and diff, CSV and LaTeX tables, a colour scale, file names.
import { toCsv as toCsvText } from '../../src-shared/csv';

/** A config flattened to dotted keys (`hyper.lr`, `modelConfig.backbone`); arrays and scalars are leaves, shown as JSON. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length && prefix) out[prefix] = '{}';
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value === undefined ? '—' : JSON.stringify(value);
  }
  return out;
}

export interface DiffRow {
  key: string;
  a: string | undefined;
  b: string | undefined;
  same: boolean;
}

/** Every flattened key of two configs, sorted; `same` when both runs have the same value. */
export function diffConfigs(a: unknown, b: unknown): DiffRow[] {
  const fa = flattenConfig(a);
  const fb = flattenConfig(b);
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort((x, y) => x.localeCompare(y));
  return keys.map((key) => ({ key, a: fa[key], b: fb[key], same: fa[key] === fb[key] }));
}

export type Cell = string | number | null | undefined;

/** RFC 4180 CSV with a header row, CRLF line ends, formula-like cells guarded (src-shared/csv.ts). */
export function toCsv(header: string[], rows: Cell[][]): string {
  return toCsvText(header, rows, '\r\n');
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};
export const latexEscape = (s: string): string => s.replace(/[\\&%$#_{}~^]/g, (c) => LATEX_SPECIALS[c]!);

export interface LatexColumn {
  header: string;
  numeric?: boolean;
  /** Which numeric value is best in this column: it is set in bold. */
  best?: 'max' | 'min';
}

/** A booktabs table (needs \usepackage{booktabs}); numbers to `digits` decimals, the best of each marked column in bold. */
export function toLatex(columns: LatexColumn[], rows: Cell[][], caption: string, digits = 4): string {
  const best = columns.map((c, j) => {
    if (!c.best) return undefined;
    const values = rows.map((r) => r[j]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (!values.length) return undefined;
    return c.best === 'max' ? Math.max(...values) : Math.min(...values);
  });
  const cell = (v: Cell, j: number): string => {
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '--';
    if (typeof v === 'number') {
      const text = columns[j]?.numeric ? v.toFixed(digits) : String(v);
      return best[j] !== undefined && v === best[j] ? `\\textbf{${text}}` : text;
    }
    return latexEscape(v);
  };
  const align = columns.map((c) => (c.numeric ? 'r' : 'l')).join('');
  return [
    '\\begin{table}[t]',
    '  \\centering',
    `  \\caption{${latexEscape(caption)}}`,
    `  \\begin{tabular}{${align}}`,
    '    \\toprule',
    `    ${columns.map((c) => latexEscape(c.header)).join(' & ')} \\\\`,
    '    \\midrule',
    ...rows.map((r) => `    ${columns.map((_, j) => cell(r[j], j)).join(' & ')} \\\\`),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}

/** Background for a correlation cell: red at 0 (or below), amber in between, green at 1. */
export function srccColour(v: number | undefined): string | undefined {
  if (v === undefined || !Number.isFinite(v)) return undefined;
  const t = Math.max(0, Math.min(1, v));
  return `hsl(${Math.round(t * 125)} 60% 32%)`;
}

/** A file-name-safe slug: "Test SRCC (solid)" → "test-srcc-solid". */
export const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'chart';
