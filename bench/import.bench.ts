// Import throughput: 10,000 real JPEGs (256x192) as a folder and as a labelled CSV dataset, plus thumbnails.
import sharp from 'sharp';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitImport } from '../src-main/datasets/importers/commit';
import { genericCsvImporter } from '../src-main/datasets/importers/generic-csv.importer';
import { thumbnailFor } from '../src-main/imaging/thumbnails';
import { importFolder } from '../src-main/services/import-folder';
import { openStore } from '../src-main/store/store';
import { measure, type BenchRow } from './types';

async function makeImages(dir: string, n: number): Promise<string[]> {
  // A handful of distinct encoded JPEGs, written n times under distinct names: decoding cost is real, making them is cheap.
  const variants = await Promise.all(
    Array.from({ length: 16 }, (_, k) => {
      const raw = Buffer.alloc(256 * 192 * 3);
      for (let i = 0; i < raw.length; i++) raw[i] = (i * (k + 3) + ((i / 768) | 0) * 7) % 256;
      return sharp(raw, { raw: { width: 256, height: 192, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    }),
  );
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const sub = `d${String(Math.floor(i / 1000)).padStart(2, '0')}`;
    mkdirSync(join(dir, sub), { recursive: true });
    const name = `${sub}/img${String(i).padStart(5, '0')}.jpg`;
    writeFileSync(join(dir, name), variants[i % variants.length]!);
    names.push(name);
  }
  return names;
}

export async function importBench(quick: boolean): Promise<BenchRow[]> {
  const n = quick ? 1000 : 10_000;
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-import-'));
  try {
    const images = join(work, 'images');
    const names = await makeImages(images, n);
    writeFileSync(join(images, 'labels.csv'), `path,score\n${names.map((p, i) => `${p},${1 + (i % 400) / 100}`).join('\n')}\n`);
    const store = openStore(join(work, 'bench.sqlite'));
    const rows: BenchRow[] = [];

    const folder = await measure(() => importFolder(store, images, { name: 'folder' }));
    rows.push({ name: `import folder (${n} JPEG 256x192)`, n, rate: n / folder.seconds, unit: 'images/s', seconds: folder.seconds, peakRssMb: folder.peakRssMb });

    const csv = await measure(async () => commitImport(store, images, await genericCsvImporter.parse(images, { file: 'labels.csv', scoreRange: [1, 5] }), { name: 'csv' }));
    rows.push({ name: `import labelled CSV (${n})`, n, rate: n / csv.seconds, unit: 'images/s', seconds: csv.seconds, peakRssMb: csv.peakRssMb });

    const thumbs = Math.min(n, 1000);
    const t = await measure(async () => {
      for (let i = 0; i < thumbs; i++) await thumbnailFor(join(images, names[i]!), join(work, 'thumbs'));
    });
    rows.push({ name: 'thumbnails (256 px WebP)', n: thumbs, rate: thumbs / t.seconds, unit: 'images/s', seconds: t.seconds, peakRssMb: t.peakRssMb });

    const datasetId = store.datasets.findByName('csv')!.id;
    const pages = 200;
    const q = await measure(async () => {
      for (let i = 0; i < pages; i++) store.datasets.listImages({ datasetId, offset: (i * 37) % Math.max(1, n - 200), limit: 200, sort: 'label', descending: true });
    });
    rows.push({ name: 'grid page query (200 rows, by label)', n: pages, rate: pages / q.seconds, unit: 'pages/s', seconds: q.seconds, peakRssMb: q.peakRssMb });
    store.close();
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
