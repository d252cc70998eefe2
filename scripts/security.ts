// `npm run security`: Electronegativity over the Electron shell and the renderer's page; fails on any finding at or above the configured severity that scripts/electronegativity.json does not allow.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

interface Config {
  failAt: Severity;
  include: string[];
  /** A finding is allowed when check and file match, and its description and source line too where given. */
  allow: { check: string; file: string; description?: string; sample?: string; reason: string }[];
}
type Severity = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH';
const RANK: Record<Severity, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  severity: { name: Severity };
  confidence: { name: string };
  manualReview: boolean;
  /** The flagged source line (or the CSP string). */
  sample?: string;
}
interface Report {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Issue[];
}
type Runner = (options: Record<string, unknown>) => Promise<Report>;

const { values } = parseArgs({
  options: {
    // The one check that needs the internet (Electron's release list, for missing security fixes); CI is offline.
    online: { type: 'boolean', default: false },
    config: { type: 'string', default: join(ROOT, 'scripts', 'electronegativity.json') },
  },
});

const config = JSON.parse(readFileSync(values.config!, 'utf8')) as Config;
if (!(config.failAt in RANK)) throw new Error(`failAt must be one of ${Object.keys(RANK).join(', ')}`);
for (const p of config.include) if (isAbsolute(p) || p.split(/[\\/]/).includes('..')) throw new Error(`include paths are relative to the repository: ${p}`);
for (const a of config.allow) if (!a.check || !a.file || !a.reason?.trim()) throw new Error(`allow-list entry without check, file or reason: ${JSON.stringify(a)}`);

// The scanner takes one folder, and its global checks (navigation limits, permission handler, CSP) judge the whole
// app at once: so the shell and the page are copied into one folder with their repository paths.
const stage = mkdtempSync(join(tmpdir(), 'iqa-security-'));
const electronVersion = (require('electron/package.json') as { version: string }).version;
let report: Report;
try {
  for (const path of config.include) cpSync(join(ROOT, path), join(stage, path), { recursive: true });
  const run = require('@doyensec/electronegativity') as Runner;
  // Its messages follow LANG; the allow-list matches the English ones.
  process.env.LANG = 'en-US';
  const log = console.log;
  // Its start-up fetch of translations fails offline and says so; nothing else it prints is dropped.
  console.log = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('Could not retrieve updated translations')) log(...args);
  };
  try {
    report = await run({
      input: stage,
      isRelative: true,
      electronVersionOverride: electronVersion,
      excludeFromScan: values.online ? [] : ['AvailableSecurityFixesGlobalCheck'],
    });
  } finally {
    console.log = log;
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}

const failAt = RANK[config.failAt];
const allowed = (i: Issue) =>
  config.allow.find(
    (a) =>
      a.check === i.id &&
      a.file === i.file &&
      (a.description === undefined || a.description === i.description) &&
      (a.sample === undefined || a.sample.trim() === String(i.sample ?? '').trim()),
  );
const used = new Set<object>();
let failures = 0;
console.log(`Electronegativity: ${report.atomicChecks} atomic + ${report.globalChecks} global checks on ${config.include.join(', ')} (Electron ${electronVersion}${values.online ? '' : ', offline'}); failing at ${config.failAt} and above`);
for (const i of report.issues.sort((a, b) => RANK[b.severity.name] - RANK[a.severity.name] || a.id.localeCompare(b.id))) {
  const entry = allowed(i);
  if (entry) used.add(entry);
  const fails = !entry && RANK[i.severity.name] >= failAt;
  if (fails) failures += 1;
  const status = entry ? 'allowed' : fails ? 'FAIL' : 'note';
  console.log(`  ${status.padEnd(7)} ${i.severity.name.padEnd(6)} ${i.confidence.name.padEnd(9)} ${i.id} ${i.file}:${i.location.line}:${i.location.column}`);
  console.log(`          ${entry ? `reason: ${entry.reason}` : i.description.replace(/\s+/g, ' ')}`);
}
for (const e of report.errors) {
  // A file the scanner could not parse was not scanned at all.
  console.log(`  ${e.tolerable ? 'note' : 'FAIL'}    could not parse ${e.file}: ${e.message}`);
  if (!e.tolerable) failures += 1;
}
for (const a of config.allow) {
  if (used.has(a)) continue;
  console.log(`  FAIL    stale allow-list entry (nothing matches it any more, remove it): ${a.check} ${a.file}`);
  failures += 1;
}
console.log(failures ? `\n${failures} security finding(s) to fix (or, for a false positive, to allow with a reason in ${relative(ROOT, values.config!)})` : '\nno security findings to fix');
process.exit(failures ? 1 : 0);
