// Subjective studies: set-up, rater links, the rating session (each vote durable before the next stimulus), aggregation, publishing and CSV export.
import { createHash, randomBytes } from 'node:crypto';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { AppError } from '../../src-shared/api/errors';
import type { DatasetSummary, RateItem, RateSession, StudyResults, StudySettings, StudySummary } from '../../src-shared/api/schemas';
import { seededRandom, shuffle } from '../util/random';
import type { NewStudyItem, StudyItem, StudyMethod, StudyRow } from '../store/repos/studies.repo';
import { aggregateStudy, METHOD_SCALE } from '../studies/aggregate';
import { toCsv } from '../../src-shared/csv';
import type { ServiceContext } from './context';
import { notFound } from './datasets.service';
import { contentTypeFor, type ServedFile } from './files.service';

/** A file-name-safe form of a study's name. */
const studySlug = (study: StudyRow) => study.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || `study-${study.id}`;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function createStudyService(ctx: ServiceContext) {
  const { store } = ctx;
  const studies = store.studies;

  const getStudy = (id: number): StudyRow => studies.get(id) ?? notFound('study', id);
  const settingsOf = (s: StudyRow): StudySettings => s.config as unknown as StudySettings;

  /** Test and gold items in this rater's own seeded order (training items are not rated). */
  function orderFor(study: StudyRow, seed: number): StudyItem[] {
    const rated = studies.items(study.id).filter((i) => i.role !== 'training');
    return shuffle(rated, seededRandom(seed));
  }

  function summary(study: StudyRow): StudySummary {
    const items = studies.items(study.id);
    const ratings = studies.ratings(study.id);
    const total = items.filter((i) => i.role !== 'training').length;
    const dataset = store.datasets.get(study.datasetId);
    return {
      id: study.id,
      name: study.name,
      datasetId: study.datasetId,
      datasetName: dataset?.name ?? '?',
      method: study.method,
      status: study.status,
      createdAt: study.createdAt,
      settings: settingsOf(study),
      items: {
        test: items.filter((i) => i.role === 'test').length,
        training: items.filter((i) => i.role === 'training').length,
        gold: items.filter((i) => i.role === 'gold').length,
      },
      ratings: ratings.length,
      raters: studies.raters(study.id).map((r) => {
        const mine = ratings.filter((x) => x.raterId === r.raterId);
        return {
          raterId: r.raterId,
          name: r.name,
          done: mine.length,
          total,
          lastAt: mine.at(-1)?.createdAt ?? null,
          medianMs: median(mine.flatMap((x) => (x.durationMs === null ? [] : [x.durationMs]))),
        };
      }),
    };
  }

  function rater(token: string) {
    const found = studies.byTokenHash(hashToken(token));
    if (!found) throw new AppError('unauthorized', 'This rating link is not valid (ask the study organiser for a new one)');
    return { study: getStudy(found.studyId), rater: found.rater };
  }

  function rateItem(token: string, study: StudyRow, item: StudyItem): RateItem {
    const file = (side: 'a' | 'b') => `${token}~${item.id}~${side}`;
    const twoSided = study.method === 'dcr' || study.method === 'pairwise';
    return { itemId: item.id, role: item.role, first: file('a'), second: twoSided ? file('b') : null };
  }

  function session(token: string): RateSession {
    const { study, rater: r } = rater(token);
    const order = orderFor(study, r.seed);
    const rated = new Set(studies.ratings(study.id, r.raterId).map((x) => x.itemId));
    const pending = order.filter((i) => !rated.has(i.id));
    const settings = settingsOf(study);
    const open = study.status === 'open';
    return {
      study: { id: study.id, name: study.name, method: study.method, status: study.status, pauseMs: settings.pauseMs, maxPerSitting: settings.maxPerSitting },
      rater: { id: r.raterId, name: r.name },
      done: order.length - pending.length,
      total: order.length,
      training: rated.size === 0 && open ? studies.items(study.id).filter((i) => i.role === 'training').map((i) => rateItem(token, study, i)) : [],
      current: open && pending[0] ? rateItem(token, study, pending[0]) : null,
      next: open && pending[1] ? rateItem(token, study, pending[1]) : null,
      canUndo: open && rated.size > 0,
    };
  }

  function checkValue(method: StudyMethod, value: number): void {
    const [lo, hi] = METHOD_SCALE[method];
    const integral = method !== 'slider';
    if (value < lo || value > hi || (integral && !Number.isInteger(value))) {
      throw new AppError('validation', `A ${method} rating is ${integral ? 'an integer' : 'a number'} from ${lo} to ${hi}; got ${value}`);
    }
  }

  /** Test items for a new study: given ids (checked to be in the dataset), else the dataset's readable images. */
  function pickImages(input: ParsedInputOf<'studies:create'>): number[] {
    const rows = store.db.prepare('SELECT id FROM images WHERE dataset_id = ? AND error IS NULL ORDER BY id').all(input.datasetId) as { id: number }[];
    const inDataset = new Set(rows.map((r) => r.id));
    const check = (ids: readonly number[], what: string) => {
      const foreign = ids.filter((id) => !inDataset.has(id));
      if (foreign.length) throw new AppError('validation', `${what}: image${foreign.length > 1 ? 's' : ''} ${foreign.slice(0, 5).join(', ')} not in dataset ${input.datasetId} (or unreadable)`);
    };
    check(input.trainingImageIds, 'trainingImageIds');
    check(input.gold.flatMap((g) => [g.imageId, ...(g.otherImageId ? [g.otherImageId] : [])]), 'gold');
    if (input.imageIds) {
      check(input.imageIds, 'imageIds');
      return [...new Set(input.imageIds)];
    }
    const all = rows.map((r) => r.id);
    if (!all.length) throw new AppError('validation', `Dataset ${input.datasetId} has no readable images to rate`);
    return input.limit && input.limit < all.length ? shuffle(all, seededRandom(input.seed)).slice(0, input.limit).sort((a, b) => a - b) : all;
  }

  /** Pairwise: each image against `k` others drawn by the seed, each unordered pair once, sides shuffled. */
  function pairsFor(ids: number[], k: number, seed: number): [number, number][] {
    if (ids.length < 2) throw new AppError('validation', 'A pairwise study needs at least 2 images');
    const random = seededRandom(seed);
    const seen = new Set<string>();
    const pairs: [number, number][] = [];
    for (const a of ids) {
      for (const b of shuffle(ids.filter((x) => x !== a), random).slice(0, Math.min(k, ids.length - 1))) {
        const key = a < b ? `${a}:${b}` : `${b}:${a}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push(random() < 0.5 ? [a, b] : [b, a]);
      }
    }
    return pairs;
  }

  function create(input: ParsedInputOf<'studies:create'>): StudySummary {
    store.datasets.get(input.datasetId) ?? notFound('dataset', input.datasetId);
    const ids = pickImages(input);
    if (input.method === 'dcr') {
      const noRef = (store.db.prepare(`SELECT id FROM images WHERE id IN (${ids.map(() => '?').join(',')}) AND reference_id IS NULL`).all(...ids) as { id: number }[]).map((r) => r.id);
      if (noRef.length) throw new AppError('validation', `DCR shows each image's reference first; ${noRef.length} image(s) have none (e.g. ${noRef.slice(0, 3).join(', ')})`);
    }
    for (const g of input.gold) checkValue(input.method, g.expected);
    const items: NewStudyItem[] = input.trainingImageIds.map((imageId, i, all) => ({
      role: 'training' as const,
      imageId,
      otherImageId: input.method === 'pairwise' ? (all[(i + 1) % all.length] !== imageId ? all[(i + 1) % all.length]! : null) : null,
    }));
    if (input.method === 'pairwise') {
      if (items.some((i) => i.otherImageId === null)) throw new AppError('validation', 'Pairwise training needs at least 2 training images');
      items.push(...pairsFor(ids, input.pairsPerImage, input.seed).map(([a, b]) => ({ role: 'test' as const, imageId: a, otherImageId: b })));
      for (const g of input.gold) {
        if (!g.otherImageId) throw new AppError('validation', `Pairwise gold item ${g.imageId} needs otherImageId`);
        items.push({ role: 'gold', imageId: g.imageId, otherImageId: g.otherImageId, expected: g.expected });
      }
    } else {
      items.push(...ids.map((imageId) => ({ role: 'test' as const, imageId })));
      items.push(...input.gold.map((g) => ({ role: 'gold' as const, imageId: g.imageId, expected: g.expected })));
    }
    const settings: StudySettings = { pauseMs: input.pauseMs, maxPerSitting: input.maxPerSitting, seed: input.seed, pairsPerImage: input.pairsPerImage };
    const id = studies.create({ name: input.name, datasetId: input.datasetId, method: input.method, config: settings }, items);
    return summary(getStudy(id));
  }

  function results(id: number, screening: 'none' | 'bt500', zscore: boolean): StudyResults {
    const study = getStudy(id);
    const names = new Map(
      (store.db.prepare('SELECT i.id, i.name FROM images i JOIN study_items s ON s.image_id = i.id OR s.other_image_id = i.id WHERE s.study_id = ?').all(id) as { id: number; name: string }[]).map(
        (r) => [r.id, r.name],
      ),
    );
    return aggregateStudy({
      studyId: id,
      method: study.method,
      ratings: studies.ratings(id),
      raters: studies.raters(id),
      imageName: (imageId) => names.get(imageId) ?? String(imageId),
      screening,
      zscore,
    });
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
      store.db.prepare('UPDATE datasets SET parent_id = ? WHERE id = ?').run(source.id, datasetId);
      // The version keeps the images' references, distortions and levels; only the labels are new.
      const copy = store.db.prepare(`
        INSERT INTO images (dataset_id, path, name, reference_id, distortion, level, width, height, format, bytes, error)
        SELECT ?, path, name, NULL, distortion, level, width, height, format, bytes, error FROM images WHERE id = ? RETURNING id`);
      const refOf = store.db.prepare('SELECT r.name, r.path FROM images i JOIN reference_images r ON r.id = i.reference_id WHERE i.id = ?');
      const label = store.db.prepare('INSERT INTO labels (image_id, source, value, std, n_ratings, ci_low, ci_high) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const it of res.items) {
        const { id: newId } = copy.get(datasetId, it.imageId) as { id: number };
        const ref = refOf.get(it.imageId) as { name: string; path: string | null } | undefined;
        if (ref) store.db.prepare('UPDATE images SET reference_id = ? WHERE id = ?').run(store.datasets.addReference(datasetId, ref.name, ref.path), newId);
        label.run(newId, `study:${study.id}`, it.score, it.std, it.n, it.ciLow, it.ciHigh);
      }
      return datasetId;
    });
    ctx.events.emit('datasets:changed', { datasetId: id });
    return store.datasets.get(id)!;
  }

  /** The raw votes of a study as CSV: one row per vote with the rater, the item, the image name(s) and the time. */
  function votesCsv(studyId: number): { filename: string; csv: string } {
    const study = getStudy(studyId);
    const raters = new Map(studies.raters(study.id).map((r) => [r.raterId, r.name]));
    const names = new Map((store.db.prepare('SELECT id, name FROM images WHERE dataset_id = ?').all(study.datasetId) as { id: number; name: string }[]).map((r) => [r.id, r.name]));
    const rows = studies.ratings(study.id).map((r) => [
      r.raterId, raters.get(r.raterId) ?? '', r.itemId, r.role, names.get(r.imageId) ?? String(r.imageId),
      r.otherImageId === null ? null : (names.get(r.otherImageId) ?? String(r.otherImageId)), study.method, r.value, r.durationMs, r.createdAt,
    ]);
    const header = ['rater_id', 'rater', 'item_id', 'role', 'image', 'other_image', 'method', 'value', 'duration_ms', 'created_at'];
    return { filename: `${studySlug(study)}-votes.csv`, csv: toCsv(header, rows) };
  }

  function exportCsv(input: ParsedInputOf<'studies:export'>): { filename: string; csv: string } {
    const study = getStudy(input.id);
    const slug = studySlug(study);
    if (input.what === 'votes') return votesCsv(study.id);
    const res = results(input.id, input.screening, input.zscore);
    const csv = toCsv(['image_id', 'image', 'score', 'std', 'n', 'ci95_low', 'ci95_high'], res.items.map((it) => [it.imageId, it.name, it.score, it.std, it.n, it.ciLow, it.ciHigh]));
    return { filename: `${slug}-${study.method === 'pairwise' ? 'scale' : 'mos'}.csv`, csv };
  }

  /** The file behind a rater's stimulus id `<token>~<itemId>~<a|b>`, only for an item of that rater's study. */
  function rateFile(id: string): ServedFile {
    const m = /^([A-Za-z0-9_-]{16,200})~([1-9][0-9]{0,15})~([ab])$/.exec(id);
    if (!m) throw new AppError('validation', 'Invalid stimulus id');
    const { study } = rater(m[1]!);
    // A closed study shows nothing more to its raters (the organiser sees its images by id).
    if (study.status !== 'open') throw new AppError('forbidden', 'This study is closed; its images are no longer shown');
    const item = studies.item(Number(m[2]));
    if (!item || item.studyId !== study.id) throw new AppError('not_found', 'No such stimulus in this study');
    let imageId = item.imageId;
    if (m[3] === 'b') {
      if (study.method === 'pairwise') imageId = item.otherImageId!;
      else if (study.method !== 'dcr') throw new AppError('not_found', 'This stimulus has one image');
    } else if (study.method === 'dcr') {
      const ref = store.db.prepare('SELECT r.path FROM images i JOIN reference_images r ON r.id = i.reference_id WHERE i.id = ?').get(item.imageId) as { path: string | null } | undefined;
      if (!ref?.path) throw new AppError('not_found', 'The reference of this image has no file');
      return { path: ref.path, contentType: contentTypeFor(ref.path), root: store.datasets.get(study.datasetId)?.root ?? null };
    }
    const image = store.datasets.getImage(imageId) ?? notFound('image', imageId);
    return { path: image.path, contentType: contentTypeFor(image.path), root: store.datasets.get(image.datasetId)?.root ?? null };
  }

  const handlers: Pick<
    Handlers,
    | 'studies:list'
    | 'studies:get'
    | 'studies:create'
    | 'studies:addRater'
    | 'studies:setStatus'
    | 'studies:results'
    | 'studies:publish'
    | 'studies:export'
    | 'rate:session'
    | 'rate:submit'
    | 'rate:undo'
  > = {
    'studies:list': () => studies.list().map(summary),
    'studies:get': ({ id }) => summary(getStudy(id)),
    'studies:create': (input) => create(input),
    'studies:addRater': ({ studyId, name }) => {
      const study = getStudy(studyId);
      const token = randomBytes(24).toString('base64url');
      const seed = randomBytes(4).readUInt32LE(0) & 0x7fffffff;
      const raterId = studies.addRater(study.id, name, hashToken(token), seed);
      return { raterId, name, token, path: `#/rate/${token}` };
    },
    'studies:setStatus': ({ id, status }) => {
      getStudy(id);
      studies.setStatus(id, status);
      return summary(getStudy(id));
    },
    'studies:results': ({ id, screening, zscore }) => results(id, screening, zscore),
    'studies:publish': (input) => publish(input),
    'studies:export': (input) => exportCsv(input),
    'rate:session': ({ token }) => session(token),
    'rate:submit': ({ token, itemId, value, durationMs }) => {
      const { study, rater: r } = rater(token);
      if (study.status !== 'open') throw new AppError('conflict', 'This study is closed; thank you for rating');
      const item = studies.item(itemId);
      if (!item || item.studyId !== study.id || item.role === 'training') throw new AppError('validation', `Item ${itemId} is not a rated item of this study`);
      checkValue(study.method, value);
      // Committed (synchronous=FULL) before the reply, so the next stimulus is only shown once this vote is on disk.
      studies.addRating({ raterId: r.raterId, item, method: study.method, value, durationMs });
      const next = session(token);
      ctx.events.emit('studies:progress', { studyId: study.id, raterId: r.raterId, done: next.done, total: next.total });
      return next;
    },
    'rate:undo': ({ token }) => {
      const { study, rater: r } = rater(token);
      if (study.status !== 'open') throw new AppError('conflict', 'This study is closed');
      studies.undoLast(study.id, r.raterId);
      const next = session(token);
      ctx.events.emit('studies:progress', { studyId: study.id, raterId: r.raterId, done: next.done, total: next.total });
      return next;
    },
  };
  return { handlers, rateFile, votesCsv };
}
