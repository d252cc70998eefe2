// `npm run bench:ui`: UI timings in headless Chromium against serve mode: a 100,000-image dataset (first paint, scroll frame times, rating latency) and a 1,000-photo library culled while it scores; prints tables, writes JSON to bench-results/.
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../tests/helpers/serve-process';
import { datasetsScenario } from './ui/datasets';
import { libraryScenario } from './ui/library';
import { log } from './ui/report';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '100000' },
    loads: { type: 'string', default: '5' },
    'scroll-seconds': { type: 'string', default: '30' },
    'wheel-notches': { type: 'string', default: '300' },
    'study-size': { type: 'string', default: '50' },
    ratings: { type: 'string', default: '30' },
    'think-ms': { type: 'string', default: '250' },
    'cold-thumbs': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results' },
    /** `datasets` (the 100,000-image grid and the study), `library` (photos scored and culled), or both when absent. */
    only: { type: 'string' },
    'library-photos': { type: 'string', default: '1000' },
    'library-ratings': { type: 'string', default: '30' },
    'library-scroll-seconds': { type: 'string', default: '10' },
    'library-wheel-notches': { type: 'string', default: '100' },
    'library-backend': { type: 'string', default: 'auto' },
  },
});
const SCENARIO = args.only;
if (SCENARIO !== undefined && SCENARIO !== 'datasets' && SCENARIO !== 'library') throw new Error(`--only takes datasets or library, not ${SCENARIO}`);
const studySize = Number(args['study-size']);

if (!existsSync(join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
  log('No built renderer in out/renderer: run `npx electron-vite build` (or `npm run build`) first.');
  process.exit(1);
}

const root = await mkdtemp(join(tmpdir(), 'iqa-bench-ui-'));
try {
  if (SCENARIO !== 'library') {
    await datasetsScenario(root, {
      images: Number(args.images),
      loads: Number(args.loads),
      scrollMs: Number(args['scroll-seconds']) * 1000,
      wheelNotches: Number(args['wheel-notches']),
      studySize,
      ratings: Math.min(Number(args.ratings), studySize - 1),
      thinkMs: Number(args['think-ms']),
      coldThumbs: args['cold-thumbs']!,
      out: args.out!,
    });
  }
  if (SCENARIO !== 'datasets') {
    await libraryScenario(root, {
      photos: Number(args['library-photos']),
      ratings: Number(args['library-ratings']),
      scrollMs: Number(args['library-scroll-seconds']) * 1000,
      wheelNotches: Number(args['library-wheel-notches']),
      thinkMs: Number(args['think-ms']),
      backend: args['library-backend']!,
      out: args.out!,
    });
  }
} finally {
  if (args.keep) log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
