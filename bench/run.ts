// `npm run bench`: runs every benchmark, prints one table, and writes the figures as JSON (bench-results/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hyperiqaBench } from './hyperiqa.bench';
import { hiqaBench } from './hiqa.bench';
import { importBench } from './import.bench';
import { int8Bench } from './int8.bench';
import { libraryBench } from './library.bench';
import { onnxBench } from './onnx.bench';
import { qualityBench } from './quality.bench';
import { studiesBench } from './studies.bench';
import { ttlBench } from './ttl.bench';
import { trainBench } from './train.bench';
import type { BenchRow } from './types';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench-results' },
  },
});

const benches: Record<string, (quick: boolean) => Promise<BenchRow[]>> = { import: importBench, studies: studiesBench, hyperiqa: hyperiqaBench, onnx: onnxBench, int8: int8Bench, hiqa: hiqaBench, ttl: ttlBench, library: libraryBench, quality: qualityBench, train: trainBench };

const rows: BenchRow[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (values.only && values.only !== name) continue;
  process.stderr.write(`running ${name}…\n`);
  rows.push(...(await run(values.quick ?? false)));
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const widths = [54, 8, 12, 10, 14];
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');
console.log(line(['benchmark', 'n', 'rate', 'unit', 'peak RSS MB']));
console.log('-'.repeat(widths.reduce((a, b) => a + b + 1, 0)));
for (const r of rows) console.log(line([r.name, String(r.n), fmt(r.rate), r.unit, r.peakRssMb.toFixed(0)]) + (r.ratio !== undefined ? `  ratio ${r.ratio.toFixed(3)}` : ''));

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: Math.round(totalmem() / 2 ** 30), node: process.version };
mkdirSync(values.out!, { recursive: true });
const file = join(values.out!, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, quick: values.quick, rows }, null, 2));
console.log(`\nwritten ${file}`);
