// Subjective studies: set-up, rater links, the rating session (each vote durable before the next stimulus), aggregation, publishing and CSV export.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { AppError } from '../../src-shared/api/errors';
import type { CrowdSettings, DatasetSummary, RateItem, RateSession, StudyResults, StudySettings, StudySummary } from '../../src-shared/api/schemas';
import { contentDisjointSplit } from '../datasets/splits';
import { seededRandom, shuffle } from '../util/random';
import type { NewStudyItem, StudyItem, StudyMethod, StudyRater, StudyRow } from '../store/repos/studies.repo';
import { seededPermutation } from '../studies/order';
import { aggregateStudy, METHOD_SCALE } from '../studies/aggregate';
import { toCsv } from '../../src-shared/csv';
import type { ServiceContext } from './context';
import { notFound } from './datasets.service';
import { contentTypeFor, type ServedFile } from './files.service';
import { createWriteBatcher } from './write-batch';

/** A file-name-safe form of a study's name. */
const studySlug = (study: StudyRow) => study.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || `study-${study.id}`;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a crowd rater's meta records. */
interface CrowdMeta {
  participant?: string;
  environment?: { screenWidth: number; screenHeight: number; pattern: string; passed?: boolean; tries: number };
  demographics?: Record<string, string>;
  qualification?: { correct: number; of: number; passed: boolean };
}

/** The digits a rater reads off the brightness test pattern (one per patch, drawn at low contrast); fixed per rater. */
export function brightnessPattern(seed: number): string {
  const random = seededRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: 4 }, () => String(1 + Math.floor(random() * 9))).join('');
}

const ACR_LABELS: Record<number, string> = { 1: 'Bad', 2: 'Poor', 3: 'Fair', 4: 'Good', 5: 'Excellent' };
function trapInstruction(method: StudyMethod, expected: number): string {
  if (method === 'slider') return `Attention check: set the slider to ${expected} for this image.`;
  return `Attention check: answer ${expected}${method === 'acr' && ACR_LABELS[expected] ? ` (${ACR_LABELS[expected]})` : ''} for this image.`;
}

/** Durations behind a rater's "median time per vote": their latest votes, so the figure costs the same at any study size. */
const RECENT_DURATIONS = 101;

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

  /** Item counts by role; a study's items never change after it is created. */
  const countsCache = new Map<number, Record<'test' | 'training' | 'gold', number>>();
  const itemCounts = (studyId: number) => countsCache.get(studyId) ?? countsCache.set(studyId, studies.itemCounts(studyId)).get(studyId)!;

  /** How many items this rater is asked to rate: all, or the crowd quota. */
  const quotaOf = (study: StudyRow): number => Math.min(study.ratedItems, settingsOf(study).crowd?.quota ?? Infinity);

  /** The rater's order: a seeded permutation of the study's rated items, one position at a time. */
  const orderOf = (study: StudyRow, r: StudyRater) => seededPermutation(study.ratedItems, r.seed);

  /** Up to `count` unrated items of the rater's order from position `from` on, with the position of the first one. */
  function pendingFrom(study: StudyRow, r: StudyRater, from: number, count: number): { first: number; items: StudyItem[] } {
    const order = orderOf(study, r);
    const limit = quotaOf(study);
    const items: StudyItem[] = [];
    let first = limit;
    for (let k = from; k < limit && items.length < count; k++) {
      const item = studies.itemAtRank(study.id, order.at(k));
      if (!item || studies.hasRated(r.raterId, item.id)) continue;
      if (!items.length) first = k;
      items.push(item);
    }
    return { first, items };
  }

  function summary(study: StudyRow): StudySummary {
    const counts = itemCounts(study.id);
    const raters = studies.raters(study.id);
    return {
      id: study.id,
      name: study.name,
      datasetId: study.datasetId,
      datasetName: studies.datasetName(study.datasetId) ?? '?',
      method: study.method,
      status: study.status,
      createdAt: study.createdAt,
      settings: settingsOf(study),
      items: counts,
      ratings: raters.reduce((sum, r) => sum + r.votes, 0),
      raters: raters.map((r) => ({
        raterId: r.raterId,
        name: r.name,
        done: r.votes,
        total: quotaOf(study),
        lastAt: r.lastAt,
        medianMs: median(studies.recentDurations(r.raterId, RECENT_DURATIONS)),
      })),
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
    const trap = item.role === 'gold' && item.expected !== null && settingsOf(study).crowd?.trapImageIds.includes(item.imageId);
    return { itemId: item.id, role: item.role, first: file('a'), second: twoSided ? file('b') : null, instruction: trap ? trapInstruction(study.method, item.expected!) : null };
  }

  /** The crowd steps this rater still has to do, in order. */
  function crowdPending(crowd: CrowdSettings, r: StudyRater, hasQualification: boolean): ('environment' | 'demographics' | 'qualification')[] {
    const meta = r.meta as CrowdMeta;
    const out: ('environment' | 'demographics' | 'qualification')[] = [];
    if (crowd.environment && !meta.environment?.passed) out.push('environment');
    if (crowd.demographics && !meta.demographics) out.push('demographics');
    if (hasQualification && !meta.qualification) out.push('qualification');
    return out;
  }

  function crowdState(token: string, study: StudyRow, r: StudyRater, done: boolean): RateSession['crowd'] {
    const crowd = settingsOf(study).crowd;
    if (!crowd) return null;
    const meta = r.meta as CrowdMeta;
    const qualification = studies.itemsByRole(study.id, 'training').filter((i) => i.expected !== null);
    const pending = crowdPending(crowd, r, qualification.length > 0);
    const disqualified = meta.qualification?.passed === false || meta.environment?.passed === false;
    return {
      pending,
      environment: crowd.environment ? { minWidth: crowd.environment.minWidth, minHeight: crowd.environment.minHeight, pattern: crowd.environment.brightness ? brightnessPattern(r.seed) : null } : null,
      qualification: pending.includes('qualification') ? qualification.map((i) => rateItem(token, study, i)) : [],
      disqualified,
      completion: done && !disqualified ? { code: crowd.completionCode, returnUrl: crowd.returnUrl?.replaceAll('{code}', encodeURIComponent(crowd.completionCode)) ?? null } : null,
    };
  }

  function session(token: string): RateSession {
    const { study, rater: r } = rater(token);
    const settings = settingsOf(study);
    const open = study.status === 'open';
    const pending = open ? pendingFrom(study, r, r.cursor, 2).items : [];
    const crowd = crowdState(token, study, r, open && !pending.length);
    const blocked = !!crowd && (crowd.disqualified || crowd.pending.length > 0);
    return {
      study: { id: study.id, name: study.name, method: study.method, status: study.status, pauseMs: settings.pauseMs, maxPerSitting: settings.maxPerSitting, surround: settings.surround ?? 128 },
      crowd,
      rater: { id: r.raterId, name: r.name },
      done: r.votes,
      total: quotaOf(study),
      training: r.votes === 0 && open && !blocked ? studies.itemsByRole(study.id, 'training').filter((i) => i.expected === null).map((i) => rateItem(token, study, i)) : [],
      current: pending[0] && !blocked ? rateItem(token, study, pending[0]) : null,
      next: pending[1] && !blocked ? rateItem(token, study, pending[1]) : null,
      canUndo: open && r.votes > 0,
    };
  }

  /** Votes and undos of all raters go through one group commit (one fsync for the votes that arrive together). */
  const writes = createWriteBatcher(store);

  /** Stores a vote and moves the rater's cursor past every rated position (run inside the group commit). */
  function storeVote(token: string, item: StudyItem, value: number, durationMs: number | null): void {
    const { study, rater: r } = rater(token);
    studies.addRating({ raterId: r.raterId, item, method: study.method, value, durationMs });
    if (item.rank !== null && orderOf(study, r).positionOf(item.rank) === r.cursor) {
      studies.setCursor(study.id, r.raterId, pendingFrom(study, r, r.cursor + 1, 1).first);
    }
  }

  /** Removes the rater's last vote; its position becomes the cursor again when it lies below it. */
  function undoVote(token: string): void {
    const { study, rater: r } = rater(token);
    const itemId = studies.undoLast(study.id, r.raterId);
    const rank = itemId === null ? null : (studies.item(itemId)?.rank ?? null);
    if (rank === null) return;
    const position = orderOf(study, r).positionOf(rank);
    if (position < r.cursor) studies.setCursor(study.id, r.raterId, position);
  }

  /** The rater's session after a write, with the progress event the dashboard follows. */
  function afterWrite(token: string): RateSession {
    const next = session(token);
    ctx.events.emit('studies:progress', { studyId: next.study.id, raterId: next.rater.id, done: next.done, total: next.total });
    return next;
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
    const all = studies.readableImageIds(input.datasetId);
    const inDataset = new Set(all);
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
    if (!all.length) throw new AppError('validation', `Dataset ${input.datasetId} has no readable images to rate`);
    return input.limit && input.limit < all.length ? shuffle(all, seededRandom(input.seed)).slice(0, input.limit).sort((a, b) => a - b) : all;
  }

  /** Pairwise: each image against `k` others drawn by the seed, each unordered pair once, sides shuffled. */
  function pairsFor(ids: number[], k: number, seed: number): [number, number][] {
    if (ids.length < 2) throw new AppError('validation', 'A pairwise study needs at least 2 images');
    const random = seededRandom(seed);
    const seen = new Set<string>();
    const pairs: [number, number][] = [];
    const want = Math.min(k, ids.length - 1);
    for (const a of ids) {
      // k distinct partners by rejection (k ≪ n), or a shuffle when k is most of the study.
      let partners: number[];
      if (want * 2 > ids.length) partners = shuffle(ids.filter((x) => x !== a), random).slice(0, want);
      else {
        const picked = new Set<number>();
        while (picked.size < want) {
          const b = ids[Math.floor(random() * ids.length)]!;
          if (b !== a) picked.add(b);
        }
        partners = [...picked];
      }
      for (const b of partners) {
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
      const withRef = studies.imagesWithReference(input.datasetId);
      const noRef = ids.filter((id) => !withRef.has(id));
      if (noRef.length) throw new AppError('validation', `DCR shows each image's reference first; ${noRef.length} image(s) have none (e.g. ${noRef.slice(0, 3).join(', ')})`);
    }
    const crowdIn = input.crowd;
    for (const g of [...input.gold, ...(crowdIn?.traps ?? []), ...(crowdIn?.qualification ?? [])]) checkValue(input.method, g.expected);
    if (crowdIn && input.method === 'pairwise' && (crowdIn.traps.length || crowdIn.qualification.length)) {
      throw new AppError('validation', 'Qualification and trapping items are for rating-scale studies (ACR, DCR, slider)');
    }
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
      // Qualification items are training items with an expected answer (checked, never stored as ratings); traps are gold items with an instruction.
      items.push(...(crowdIn?.qualification ?? []).map((q) => ({ role: 'training' as const, imageId: q.imageId, expected: q.expected })));
      items.push(...(crowdIn?.traps ?? []).map((t) => ({ role: 'gold' as const, imageId: t.imageId, expected: t.expected })));
    }
    const crowd: CrowdSettings | undefined = crowdIn && {
      joinToken: crowdIn.joinLink ? randomBytes(18).toString('base64url') : null,
      quota: crowdIn.quota,
      completionCode: crowdIn.completionCode ?? randomBytes(6).toString('hex').toUpperCase(),
      returnUrl: crowdIn.returnUrl,
      environment: crowdIn.environment,
      demographics: crowdIn.demographics,
      qualificationMin: crowdIn.qualificationMin,
      trapImageIds: crowdIn.traps.map((t) => t.imageId),
    };
    const settings: StudySettings = { pauseMs: input.pauseMs, maxPerSitting: input.maxPerSitting, seed: input.seed, pairsPerImage: input.pairsPerImage, surround: input.surround, ...(crowd ? { crowd } : {}) };
    const id = studies.create({ name: input.name, datasetId: input.datasetId, method: input.method, config: settings }, items);
    return summary(getStudy(id));
  }

  function results(id: number, screening: 'none' | 'bt500', zscore: boolean, model: 'mos' | 'mle' = 'mos'): StudyResults {
    const study = getStudy(id);
    const names = studies.itemImageNames(id);
    const contents = model === 'mle' ? studies.itemContents(id) : null;
    return aggregateStudy({
      studyId: id,
      method: study.method,
      ratings: studies.ratings(id),
      raters: studies.raters(id),
      imageName: (imageId) => names.get(imageId) ?? String(imageId),
      screening,
      zscore,
      model,
      contentOf: (imageId) => contents?.get(imageId) ?? null,
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

  /** The raw votes of a study as CSV: one row per vote with the rater, the item, the image name(s) and the time. */
  function votesCsv(studyId: number): { filename: string; csv: string } {
    const study = getStudy(studyId);
    const raters = new Map(studies.raters(study.id).map((r) => [r.raterId, r.name]));
    const names = studies.itemImageNames(study.id);
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
    if (input.what === 'sureal') return surealDataset(study);
    const res = results(input.id, input.screening, input.zscore, input.model);
    if (input.what === 'pyiqa') return pyiqaMetaInfo(study, res);
    if (input.what === 'report') return p910Report(study, res);
    const csv = toCsv(['image_id', 'image', 'score', 'std', 'n', 'ci95_low', 'ci95_high'], res.items.map((it) => [it.imageId, it.name, it.score, it.std, it.n, it.ciLow, it.ciHigh]));
    return { filename: `${slug}-${study.method === 'pairwise' ? 'scale' : 'mos'}.csv`, csv };
  }

  /**
   * The raw votes as a SUREAL dataset file (Python; `sureal --dataset <file> --models MLE_CO_AP2 …` reads it): the
   * references as ref_videos, each rated image as a dis_video with its content and `os` as {rater: vote}, which is
   * SUREAL's form for raters who did not rate everything. Images without a reference form one content.
   */
  function surealDataset(study: StudyRow): { filename: string; csv: string } {
    const names = studies.itemImageNames(study.id);
    const contents = studies.itemContents(study.id);
    const raters = new Map(studies.raters(study.id).map((r) => [r.raterId, r.name]));
    const contentIds = new Map<number | null, number>();
    const byImage = new Map<number, Map<string, number>>();
    for (const r of studies.ratings(study.id)) {
      if (r.role !== 'test') continue;
      const os = byImage.get(r.imageId) ?? byImage.set(r.imageId, new Map()).get(r.imageId)!;
      os.set(`${raters.get(r.raterId) ?? 'rater'}#${r.raterId}`, r.value);
    }
    const py = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const dis: string[] = [];
    [...byImage.keys()].sort((a, b) => a - b).forEach((imageId, assetId) => {
      const ref = contents.get(imageId) ?? null;
      const contentId = contentIds.get(ref) ?? contentIds.set(ref, contentIds.size).get(ref)!;
      const os = [...byImage.get(imageId)!].map(([k, v]) => `${py(k)}: ${v}`).join(', ');
      dis.push(` {'asset_id': ${assetId}, 'content_id': ${contentId}, 'os': {${os}}, 'path': ${py(names.get(imageId) ?? String(imageId))}}`);
    });
    const refs = [...contentIds].map(([ref, id]) => ` {'content_id': ${id}, 'content_name': ${py(ref === null ? 'no-reference' : `reference-${ref}`)}, 'path': ${py(ref === null ? '' : String(ref))}}`);
    const [lo, hi] = METHOD_SCALE[study.method];
    const text = [
      `# SUREAL dataset exported from study #${study.id} "${study.name}" (${study.method}, scale ${lo}-${hi}); one vote per rater and image.`,
      `dataset_name = ${py(studySlug(study))}`,
      `ref_score = ${hi}.0`,
      `ref_videos = [\n${refs.join(',\n')}\n]`,
      `dis_videos = [\n${dis.join(',\n')}\n]`,
      '',
    ].join('\n');
    return { filename: `${studySlug(study).replace(/-/g, '_')}_sureal.py`, csv: text };
  }

  /** pyiqa's meta-info CSV (image_name, mos; ref_name for full-reference data) with a content-disjoint train/val/test column. */
  function pyiqaMetaInfo(study: StudyRow, res: StudyResults): { filename: string; csv: string } {
    const contents = studies.itemContents(study.id);
    const refNames = new Map<number, string>();
    for (const it of res.items) {
      const ref = contents.get(it.imageId);
      if (ref != null) refNames.set(it.imageId, String(ref));
    }
    const split = res.items.length >= 2 ? contentDisjointSplit(res.items.map((it) => ({ imageId: it.imageId, reference: refNames.get(it.imageId) ?? null })), { trainRatio: 0.8, valRatio: 0.125, seed: settingsOf(study).seed }) : new Map();
    const withRef = study.method === 'dcr';
    const header = withRef ? ['ref_name', 'dist_name', 'mos', 'std', 'n', 'split'] : ['image_name', 'mos', 'std', 'n', 'split'];
    const rows = res.items.map((it) => [...(withRef ? [refNames.get(it.imageId) ?? ''] : []), it.name, it.score, it.std, it.n, split.get(it.imageId) ?? 'train']);
    return { filename: `meta_info_${studySlug(study).replace(/-/g, '_')}.csv`, csv: toCsv(header, rows) };
  }

  /** A P.910-style report: method, conditions, screening, and MOS with intervals. */
  function p910Report(study: StudyRow, res: StudyResults): { filename: string; csv: string } {
    const st = settingsOf(study);
    const counts = itemCounts(study.id);
    const [lo, hi] = res.scale;
    const kept = res.raters.filter((r) => !r.rejected);
    const f = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d));
    const lines = [
      `# Subjective test report: ${study.name}`,
      '',
      '## Method',
      `- ${({ acr: 'Absolute Category Rating (ACR, 5-grade)', slider: 'Continuous slider 0-100', dcr: 'Degradation Category Rating (DCR, reference first)', pairwise: 'Pair comparison' } as const)[study.method]} (ITU-T P.910), scale ${lo} to ${hi}.`,
      `- Items: ${counts.test} test, ${counts.gold} gold/trapping, ${counts.training} practice or qualification; each rater in their own random order.`,
      `- Analysis: ${res.model === 'mle' ? "SUREAL's MLE model (Li & Bampis 2017): per-rater bias and inconsistency, per-content ambiguity; 95% intervals ±1.96·se" : 'MOS with Student-t 95% intervals'}${res.zscore ? ', votes z-scored per rater' : ''}; intervals from 3 votes on, clamped to the scale.`,
      '',
      '## Conditions',
      `- Neutral surround and pause luminance ${st.surround ?? 128}/255; pause ${st.pauseMs} ms between stimuli; a break every ${st.maxPerSitting} ratings.`,
      ...(st.crowd
        ? [
            `- Crowd study: ${st.crowd.quota ? `quota ${st.crowd.quota} items per rater` : 'no quota'}; ${st.crowd.environment ? `screen at least ${st.crowd.environment.minWidth}×${st.crowd.environment.minHeight}${st.crowd.environment.brightness ? ', brightness test pattern' : ''}` : 'no environment check'}; ${st.crowd.demographics ? 'demographics asked' : 'no demographics'}; qualification pass mark ${Math.round(100 * st.crowd.qualificationMin)}%; ${st.crowd.trapImageIds.length} trapping item(s).`,
          ]
        : []),
      `- Raters: ${res.raters.length}, votes: ${res.raters.reduce((s, r) => s + r.votes, 0)}.`,
      '',
      '## Screening',
      `- Rule: ${res.screening === 'bt500' ? 'ITU-R BT.500 outlier test, gold/trapping items (80% within tolerance), straight-lining, rater–MOS correlation ≥ 0.75; flagged raters excluded' : 'none: every rater kept (flags reported)'}.`,
      `- Kept ${kept.length} of ${res.raters.length} raters.`,
      '',
      '| rater | votes | gold | MOS r | bias | inconsistency | excluded | reasons |',
      '|---|---|---|---|---|---|---|---|',
      ...res.raters.map((r) => `| ${r.name} | ${r.votes} | ${r.goldAccuracy === null ? '–' : `${Math.round(100 * r.goldAccuracy)}%`} | ${f(r.mosCorrelation)} | ${f(r.bias)} | ${f(r.inconsistency)} | ${r.rejected ? 'yes' : 'no'} | ${r.reasons.join('; ') || '–'} |`),
      '',
      '## Results',
      '',
      `| image | ${res.method === 'pairwise' ? 'scale value' : res.model === 'mle' ? 'quality (MLE)' : 'MOS'} | std | n | 95% interval |`,
      '|---|---|---|---|---|',
      ...res.items.map((it) => `| ${it.name} | ${f(it.score)} | ${f(it.std)} | ${it.n} | ${it.tooFewVotes ? 'too few votes' : it.ciLow === null ? '–' : `${f(it.ciLow)} … ${f(it.ciHigh)}`} |`),
      '',
    ];
    return { filename: `${studySlug(study)}-report.md`, csv: lines.join('\n') };
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
      const refPath = studies.referencePath(item.imageId);
      if (!refPath) throw new AppError('not_found', 'The reference of this image has no file');
      return { path: refPath, contentType: contentTypeFor(refPath), root: studies.datasetRoot(study.datasetId) };
    }
    const image = store.datasets.getImage(imageId) ?? notFound('image', imageId);
    return { path: image.path, contentType: contentTypeFor(image.path), root: studies.datasetRoot(image.datasetId) };
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
    | 'rate:join'
    | 'rate:crowd'
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
    'studies:results': ({ id, screening, zscore, model }) => results(id, screening, zscore, model),
    'studies:publish': (input) => publish(input),
    'studies:export': (input) => exportCsv(input),
    'rate:session': ({ token }) => session(token),
    'rate:submit': ({ token, itemId, value, durationMs }) => {
      const { study, rater: r } = rater(token);
      if (study.status !== 'open') throw new AppError('conflict', 'This study is closed; thank you for rating');
      const item = studies.item(itemId);
      if (!item || item.studyId !== study.id || item.role === 'training') throw new AppError('validation', `Item ${itemId} is not a rated item of this study`);
      checkValue(study.method, value);
      const crowd = crowdState(token, study, r, false);
      if (crowd?.disqualified) throw new AppError('forbidden', 'This study needs raters who passed its checks; thank you for your time');
      if (crowd?.pending.length) throw new AppError('conflict', `Finish the ${crowd.pending[0]} step first`);
      // Committed (synchronous=FULL) before the reply, so the next stimulus is only shown once this vote is on disk.
      return writes.submit(() => storeVote(token, item, value, durationMs), () => afterWrite(token));
    },
    'rate:undo': ({ token }) => {
      const { study } = rater(token);
      if (study.status !== 'open') throw new AppError('conflict', 'This study is closed');
      return writes.submit(() => undoVote(token), () => afterWrite(token));
    },
    'rate:join': ({ joinToken, participant }) => join(joinToken, participant),
    'rate:crowd': (input) => crowdStep(input),
  };
  /** A crowd study's join link: finds the open study whose join token this is and adds a rater. */
  function join(joinToken: string, participant: string) {
    const study = studies.list().find((s) => {
      const t = settingsOf(s).crowd?.joinToken;
      return !!t && t.length === joinToken.length && timingSafeEqual(Buffer.from(t), Buffer.from(joinToken));
    });
    if (!study) throw new AppError('unauthorized', 'This study link is not valid (ask the study organiser for a new one)');
    if (study.status !== 'open') throw new AppError('conflict', 'This study is closed; thank you for your interest');
    const token = randomBytes(24).toString('base64url');
    const seed = randomBytes(4).readUInt32LE(0) & 0x7fffffff;
    const name = participant || `crowd-${randomBytes(3).toString('hex')}`;
    studies.addRater(study.id, name, hashToken(token), seed, participant ? { participant } : {});
    return { token, path: `#/rate/${token}` };
  }

  /** Records a crowd step: the environment check, the demographics, or the qualification answers (scored here). */
  function crowdStep(input: ParsedInputOf<'rate:crowd'>): RateSession {
    const { study, rater: r } = rater(input.token);
    const crowd = settingsOf(study).crowd;
    if (!crowd) throw new AppError('validation', 'This study has no crowd steps');
    if (study.status !== 'open') throw new AppError('conflict', 'This study is closed');
    const meta = { ...(r.meta as CrowdMeta) };
    if (input.environment && crowd.environment) {
      const e = input.environment;
      const bigEnough = e.screenWidth >= crowd.environment.minWidth && e.screenHeight >= crowd.environment.minHeight;
      const sees = !crowd.environment.brightness || e.pattern.trim() === brightnessPattern(r.seed);
      meta.environment = { ...e, passed: bigEnough && sees, tries: (meta.environment?.tries ?? 0) + 1 };
      // A wrong pattern may be tried again (three times); a small screen cannot be fixed by trying.
      if (!meta.environment.passed && bigEnough && meta.environment.tries < 3) meta.environment.passed = undefined;
    }
    if (input.demographics && crowd.demographics) meta.demographics = input.demographics;
    if (input.qualification && !meta.qualification) {
      const items = studies.itemsByRole(study.id, 'training').filter((i) => i.expected !== null);
      const given = new Map(input.qualification.map((q) => [q.itemId, q.value]));
      if (items.some((i) => !given.has(i.id))) throw new AppError('validation', 'Answer every qualification item');
      const tolerance = study.method === 'slider' ? 20 : 1;
      const correct = items.filter((i) => Math.abs(given.get(i.id)! - i.expected!) <= tolerance).length;
      meta.qualification = { correct, of: items.length, passed: correct >= Math.ceil(crowd.qualificationMin * items.length) };
    }
    studies.setRaterMeta(r.raterId, meta);
    return session(input.token);
  }

  const isRaterToken = (token: string): boolean => studies.byTokenHash(hashToken(token)) !== undefined;
  return { handlers, rateFile, votesCsv, isRaterToken };
}
