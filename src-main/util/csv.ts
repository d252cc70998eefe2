// One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break; null is an empty cell.
export const csvCell = (v: string | number | null): string =>
  v === null ? '' : typeof v === 'number' ? String(v) : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
