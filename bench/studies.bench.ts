// Study database figures: 1,000,000 ratings inserted in bulk, durable one-by-one commits as raters make them, and aggregation (MOS, BT.500, z-scores).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src-main/util/random';
import { databaseOf, openStore } from '../src-main/store/store';
import { aggregateStudy } from '../src-main/studies/aggregate';
import { measure, type BenchRow } from './types';

export async function studiesBench(quick: boolean): Promise<BenchRow[]> {
  const images = quick ? 1000 : 10_000;
  const raters = 100;
  const total = images * raters;
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-studies-'));
  const rows: BenchRow[] = [];
  try {
    const store = openStore(join(work, 'bench.sqlite'));
    const db = databaseOf(store);
    const datasetId = store.datasets.create({ name: 'bench', kind: 'folder' });
    db.transaction(() => {
      const add = db.prepare('INSERT INTO images (dataset_id, path, name) VALUES (?, ?, ?)');
      for (let i = 0; i < images; i++) add.run(datasetId, `/bench/img${i}.jpg`, `img${i}.jpg`);
    })();
    const imageIds = (db.prepare('SELECT id FROM images WHERE dataset_id = ? ORDER BY id').all(datasetId) as { id: number }[]).map((r) => r.id);
    const studyId = store.studies.create({ name: 'bench', datasetId, method: 'acr', config: { pauseMs: 0, maxPerSitting: 100, seed: 1, pairsPerImage: 4 } }, imageIds.map((imageId) => ({ role: 'test' as const, imageId })));
    const items = store.studies.items(studyId);
    const raterIds = Array.from({ length: raters }, (_, r) => store.studies.addRater(studyId, `r${r}`, `hash${r}`, r));
    const random = seededRandom(7);
    const quality = items.map(() => 1 + 4 * random());

    const bulk = await measure(async () => {
      db.transaction(() => {
        const add = db.prepare("INSERT INTO ratings (rater_id, image_id, method, value, duration_ms, study_item_id) VALUES (?, ?, 'acr', ?, ?, ?)");
        for (const [r, raterId] of raterIds.entries()) {
          for (const [i, item] of items.entries()) {
            const vote = Math.min(5, Math.max(1, Math.round(quality[i]! + (random() - 0.5) * 2 + (r % 7 === 0 ? 1 : 0))));
            add.run(raterId, item.imageId, vote, 900 + ((i * 13) % 700), item.id);
          }
        }
      })();
    });
    rows.push({ name: `ratings: insert ${total.toLocaleString('en')} in one transaction`, n: total, rate: total / bulk.seconds, unit: 'ratings/s', seconds: bulk.seconds, peakRssMb: bulk.peakRssMb });

    // As raters make them: one transaction per vote, committed with synchronous=FULL before the next stimulus.
    const durable = quick ? 200 : 1000;
    const extra = store.studies.addRater(studyId, 'live', 'hash-live', 99);
    const one = await measure(async () => {
      for (let i = 0; i < durable; i++) store.studies.addRating({ raterId: extra, item: items[i]!, method: 'acr', value: 3, durationMs: 1000 });
    });
    rows.push({ name: 'ratings: durable commit per vote (as rated)', n: durable, rate: durable / one.seconds, unit: 'ratings/s', seconds: one.seconds, peakRssMb: one.peakRssMb });

    const load = await measure(async () => store.studies.ratings(studyId));
    rows.push({ name: `ratings: read ${(total + durable).toLocaleString('en')} of a study`, n: total + durable, rate: (total + durable) / load.seconds, unit: 'ratings/s', seconds: load.seconds, peakRssMb: load.peakRssMb });
    const ratings = load.result;
    const raterRows = store.studies.raters(studyId);
    for (const [screening, zscore] of [['none', false], ['bt500', false], ['bt500', true]] as const) {
      const agg = await measure(async () => aggregateStudy({ studyId, method: 'acr', ratings, raters: raterRows, imageName: String, screening, zscore }));
      rows.push({ name: `aggregate MOS + CI (screening ${screening}${zscore ? ', z-scores' : ''})`, n: ratings.length, rate: ratings.length / agg.seconds, unit: 'ratings/s', seconds: agg.seconds, peakRssMb: agg.peakRssMb });
    }
    store.close();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}
