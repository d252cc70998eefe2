// Study results: aggregated once per write version and reused (a page, a re-sort or an export costs no recomputation), served in pages; and publishing them as a dataset version.
import type { ParsedInputOf } from '../../../src-shared/api/contract';
import { AppError } from '../../../src-shared/api/errors';
import type { DatasetSummary, StudyResults, StudyResultsPage } from '../../../src-shared/api/schemas';
import { aggregateStudy } from '../../studies/aggregate';
import { notFound } from '../datasets.service';
import type { StudyCore } from './core';

type Screening = 'none' | 'bt500';
type Model = 'mos' | 'mle';
type ResultsSort = 'image' | 'name' | 'score' | '-score' | 'n' | 'ci';
type Item = StudyResults['items'][number];

const SORTS: Record<Exclude<ResultsSort, 'image'>, (a: Item, b: Item) => number> = {
  name: (a, b) => a.name.localeCompare(b.name) || a.imageId - b.imageId,
  score: (a, b) => a.score - b.score || a.imageId - b.imageId,
  '-score': (a, b) => b.score - a.score || a.imageId - b.imageId,
  n: (a, b) => a.n - b.n || a.imageId - b.imageId,
  // Widest interval first: the images that most need more votes (no interval yet counts as widest).
  ci: (a, b) => (b.ciHigh === null ? Infinity : b.ciHigh - b.ciLow!) - (a.ciHigh === null ? Infinity : a.ciHigh - a.ciLow!) || a.n - b.n || a.imageId - b.imageId,
};

/** Results kept at once (each holds every item of a study: tens of MB at 100,000 items). */
const CACHED = 4;

interface Cached {
  version: number;
  at: number;
  res: StudyResults;
  votes: number;
  sorted: Map<ResultsSort, Item[]>;
}

export function createStudyResults(core: StudyCore) {
  const { ctx, store, studies, getStudy } = core;
  const cache = new Map<string, Cached>();

  function compute(id: number, screening: Screening, zscore: boolean, model: Model): Cached {
    const study = getStudy(id);
    const version = core.version(id);
    const names = studies.itemImageNames(id);
    const contents = model === 'mle' ? studies.itemContents(id) : null;
    const ratings = studies.ratings(id);
    const res = aggregateStudy({
      studyId: id,
      method: study.method,
      ratings,
      raters: studies.raters(id),
      imageName: (imageId) => names.get(imageId) ?? String(imageId),
      screening,
      zscore,
      model,
      contentOf: (imageId) => contents?.get(imageId) ?? null,
    });
    return { version, at: Date.now(), res, votes: ratings.length, sorted: new Map([['image', res.items]]) };
  }

  /**
   * The results at the study's current write version, from the cache when nothing was written since; `maxAgeMs`
   * lets a live dashboard take results up to that old instead (they say how many votes they reflect).
   */
  function cached(id: number, screening: Screening, zscore: boolean, model: Model, maxAgeMs = 0): Cached {
    const key = `${id}:${screening}:${zscore}:${model}`;
    const hit = cache.get(key);
    if (hit && (hit.version === core.version(id) || Date.now() - hit.at <= maxAgeMs)) return hit;
    const fresh = compute(id, screening, zscore, model);
    cache.delete(key);
    cache.set(key, fresh);
    while (cache.size > CACHED) cache.delete(cache.keys().next().value!);
    return fresh;
  }

  function results(id: number, screening: Screening, zscore: boolean, model: Model = 'mos'): StudyResults {
    return cached(id, screening, zscore, model).res;
  }

  /** One page of the results in the asked order, with the number of items and of votes behind them. */
  function page(input: ParsedInputOf<'studies:results'>): StudyResultsPage {
    const c = cached(input.id, input.screening, input.zscore, input.model, input.maxAgeMs);
    const sort = input.sort;
    let items = c.sorted.get(sort);
    if (!items) c.sorted.set(sort, (items = [...c.res.items].sort(SORTS[sort as Exclude<ResultsSort, 'image'>])));
    const query = input.query?.trim().toLowerCase();
    const matching = query ? items.filter((it) => it.name.toLowerCase().includes(query)) : items;
    const end = input.limit === undefined ? matching.length : input.offset + input.limit;
    return { ...c.res, items: matching.slice(input.offset, end), total: matching.length, offset: input.offset, votes: c.votes, computedAt: new Date(c.at).toISOString() };
  }

  function publish(input: ParsedInputOf<'studies:publish'>): DatasetSummary {
    const study = getStudy(input.id);
    if (store.datasets.findByName(input.name)) throw new AppError('conflict', `A dataset named "${input.name}" already exists`);
    const res = results(input.id, input.screening, input.zscore);
    if (!res.items.length) throw new AppError('validation', 'No ratings to publish yet');
    const source = store.datasets.get(study.datasetId) ?? notFound('dataset', study.datasetId);
    const id = store.transaction(() => {
      const datasetId = store.datasets.create({
        name: input.name,
        kind: 'study',
        root: source.root,
        description: `Study #${study.id} "${study.name}" (${study.method}): ${res.items.length} images, ${res.raters.filter((r) => !r.rejected).length} raters kept${input.screening === 'bt500' ? ' after BT.500 screening' : ''}${input.zscore ? ', z-scored' : ''}.`,
        labelKind: 'mos',
        scoreMin: res.scale[0],
        scoreMax: res.scale[1],
        higherIsBetter: true,
        meta: { study: { id: study.id, method: study.method, screening: input.screening, zscore: input.zscore, parentDatasetId: source.id } },
      });
      studies.setDatasetParent(datasetId, source.id);
      // The version keeps the images' references, distortions and levels; only the labels are new.
      const addReference = (name: string, path: string | null) => store.datasets.addReference(datasetId, name, path);
      for (const it of res.items) {
        studies.copyLabelledImage(datasetId, it.imageId, { source: `study:${study.id}`, value: it.score, std: it.std, n: it.n, ciLow: it.ciLow, ciHigh: it.ciHigh }, addReference);
      }
      return datasetId;
    });
    ctx.events.emit('datasets:changed', { datasetId: id });
    return store.datasets.get(id)!;
  }


  return { results, page, publish };
}
