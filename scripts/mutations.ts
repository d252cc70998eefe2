// `npx tsx scripts/mutations.ts [name...]`: applies each one-line mutation issue 19 lists, runs the unit tests that cover it, and reports killed or survived (exit 1 if any survives).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface Mutation {
  name: string;
  file: string;
  /** Text that must occur exactly once in the file, and what replaces it. */
  from: string;
  to: string;
  /** Unit test files that must fail with the mutation in place. */
  tests: string[];
}

const SIBLING = ['tests/unit/serve/sibling-paths.test.ts', 'tests/unit/security/import-confinement.test.ts'];
const SERVE = ['tests/unit/serve/serve-checks.test.ts'];
const AGGREGATE = ['tests/unit/studies/aggregate.test.ts', 'tests/unit/studies/mos.test.ts'];
const BT500 = ['tests/unit/studies/screening-boundaries.test.ts', 'tests/unit/studies/screening.test.ts'];

const MUTATIONS: Mutation[] = [
  {
    name: 'static files: plain prefix check',
    file: 'src-main/shells/serve/static-files.ts',
    from: 'return full === base || full.startsWith(base + sep) ? full : null;',
    to: 'return full.startsWith(base) ? full : null;',
    tests: SIBLING,
  },
  {
    name: 'allowed roots (import, browse): plain prefix check',
    file: 'src-main/util/real-path.ts',
    from: 'return roots.some((r) => isInside(r, real));',
    to: 'return roots.some((r) => real.startsWith(r));',
    tests: SIBLING,
  },
  {
    name: 'serve: a missing Host header accepted',
    file: 'src-main/shells/serve/security.ts',
    from: 'return !!host && allowed.has(hostName(host));',
    to: 'return !host || allowed.has(hostName(host));',
    tests: SERVE,
  },
  {
    name: 'serve: Origin null accepted',
    file: 'src-main/shells/serve/security.ts',
    from: '  if (!origin) return true;\n  try {',
    to: "  if (!origin || origin === 'null') return true;\n  try {",
    tests: SERVE,
  },
  {
    name: 'closed study: votes no longer refused',
    file: 'src-main/services/studies/rating.ts',
    from: "if (study.status !== 'open') throw new AppError('conflict', 'This study is closed; thank you for rating');",
    to: '',
    tests: ['tests/unit/services/study-closed.test.ts'],
  },
  {
    name: 'closed study: undo no longer refused',
    file: 'src-main/services/studies/rating.ts',
    from: "    if (study.status !== 'open') throw new AppError('conflict', 'This study is closed');\n    return writes.submit(() => undoVote(token)",
    to: '    return writes.submit(() => undoVote(token)',
    tests: ['tests/unit/services/study-closed.test.ts'],
  },
  {
    name: 'MOS: confidence interval doubled',
    file: 'src-main/studies/mos.ts',
    from: 'const halfWidth = (studentTQuantile(1 - (1 - confidence) / 2, n - 1) * std) / Math.sqrt(n);',
    to: 'const halfWidth = (2 * studentTQuantile(1 - (1 - confidence) / 2, n - 1) * std) / Math.sqrt(n);',
    tests: AGGREGATE,
  },
  {
    name: 'MOS: std doubled',
    file: 'src-main/studies/aggregate.ts',
    from: '      std: m.std,\n',
    to: '      std: m.std === null ? null : 2 * m.std,\n',
    tests: AGGREGATE,
  },
  {
    name: 'gold: tolerance moved (1 -> 2)',
    file: 'src-main/studies/aggregate.ts',
    from: "const tolerance = method === 'pairwise' ? 0 : method === 'slider' ? 20 : 1;",
    to: "const tolerance = method === 'pairwise' ? 0 : method === 'slider' ? 20 : 2;",
    tests: AGGREGATE,
  },
  {
    name: 'BT.500: outlier ratio 0.05 -> 0.1',
    file: 'src-main/studies/screening.ts',
    from: 'const rejected = outlierRatio > 0.05 && asymmetry !== null && asymmetry < 0.3;',
    to: 'const rejected = outlierRatio > 0.1 && asymmetry !== null && asymmetry < 0.3;',
    tests: BT500,
  },
  {
    name: 'BT.500: asymmetry < -> <=',
    file: 'src-main/studies/screening.ts',
    from: 'const rejected = outlierRatio > 0.05 && asymmetry !== null && asymmetry < 0.3;',
    to: 'const rejected = outlierRatio > 0.05 && asymmetry !== null && asymmetry <= 0.3;',
    tests: BT500,
  },
  {
    name: 'BT.500: strict beta2 bounds',
    file: 'src-main/studies/screening.ts',
    from: 'const normal = beta2 >= 2 && beta2 <= 4;',
    to: 'const normal = beta2 > 2 && beta2 < 4;',
    tests: BT500,
  },
  {
    name: 'BT.500: a vote on the upper limit not counted (>= -> >)',
    file: 'src-main/studies/screening.ts',
    from: 'if (r.value >= upper)',
    to: 'if (r.value > upper)',
    tests: BT500,
  },
  {
    name: 'XMP: Rating above 5 read as stars',
    file: 'src-main/photo/xmp-parse.ts',
    from: 'return Number.isInteger(n) && n >= -1 && n <= 5 ? n : null;',
    to: 'return Number.isInteger(n) && n >= -1 ? n : null;',
    tests: ['tests/unit/photo/xmp.test.ts'],
  },
  {
    name: 'scoring (tfjs): mean over crops divided by count+1',
    file: 'src-main/iqa/score/predict.ts',
    from: 'return sum / count;',
    to: 'return sum / (count + 1);',
    tests: ['tests/unit/iqa/mean-prediction.test.ts', 'tests/unit/iqa/onnx/fallback.test.ts'],
  },
  {
    name: 'scoring (ONNX Runtime): mean over crops divided by count+1',
    file: 'src-main/iqa/score/scorer.ts',
    from: '(await core.scoreSum(batch.data, batch.count, batch.patch)) / batch.count;',
    to: '(await core.scoreSum(batch.data, batch.count, batch.patch)) / (batch.count + 1);',
    tests: ['tests/unit/iqa/crop-mean.test.ts'],
  },
];

const root = resolve(import.meta.dirname, '..');

function runTests(tests: string[]): { passed: boolean; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync('npx', ['vitest', 'run', '--project', 'unit', ...tests], { cwd: root, stdio: 'ignore', env: { ...process.env, CI: '1' } });
  return { passed: r.status === 0, seconds: (Date.now() - t0) / 1000 };
}

/** The original text of every file under mutation, put back on any exit. */
const originals = new Map<string, string>();
function restoreAll() {
  for (const [file, text] of originals) writeFileSync(file, text);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    restoreAll();
    process.exit(130);
  });
}

const only = process.argv.slice(2);
const chosen = only.length ? MUTATIONS.filter((m) => only.some((o) => m.name.includes(o))) : MUTATIONS;
const results: { name: string; verdict: string; seconds: number }[] = [];
const baseline = new Map<string, boolean>();
try {
  for (const m of chosen) {
    const file = resolve(root, m.file);
    const text = readFileSync(file, 'utf8');
    if (text.split(m.from).length !== 2) throw new Error(`${m.name}: the text to mutate occurs ${text.split(m.from).length - 1} times in ${m.file}; update scripts/mutations.ts`);
    // The covering tests must pass unmutated, else a failure says nothing about the mutation.
    const key = m.tests.join(' ');
    if (!baseline.has(key)) baseline.set(key, runTests(m.tests).passed);
    if (!baseline.get(key)) {
      results.push({ name: m.name, verdict: 'BASELINE FAILS', seconds: 0 });
      continue;
    }
    originals.set(file, text);
    writeFileSync(file, text.replace(m.from, m.to));
    try {
      const r = runTests(m.tests);
      results.push({ name: m.name, verdict: r.passed ? 'SURVIVED' : 'killed', seconds: r.seconds });
    } finally {
      writeFileSync(file, text);
      originals.delete(file);
    }
    console.log(`${results.at(-1)!.verdict.padEnd(14)} ${m.name}`);
  }
} finally {
  restoreAll();
}

console.log('\nmutation'.padEnd(64) + 'verdict');
for (const r of results) console.log(`${r.name.padEnd(63)} ${r.verdict}${r.seconds ? ` (${r.seconds.toFixed(0)} s)` : ''}`);
const killed = results.filter((r) => r.verdict === 'killed').length;
console.log(`\n${killed} of ${results.length} mutations killed`);
process.exit(killed === results.length ? 0 : 1);
