// Setting up a study: its test images (checked to be in the dataset), pairs for pair comparison, training, gold, qualification and trapping items, and the crowd settings.
import { randomBytes } from 'node:crypto';
import type { ParsedInputOf } from '../../../src-shared/api/contract';
import { AppError } from '../../../src-shared/api/errors';
import type { CrowdSettings, StudySettings, StudySummary } from '../../../src-shared/api/schemas';
import type { NewStudyItem } from '../../store/repos/studies.repo';
import { seededRandom, shuffle } from '../../util/random';
import { notFound } from '../datasets.service';
import { checkValue, type StudyCore } from './core';

export function createStudySetup(core: StudyCore) {
  const { store, studies } = core;

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
    const settings: StudySettings = { pauseMs: input.pauseMs, maxPerSitting: input.maxPerSitting, seed: input.seed, pairsPerImage: input.pairsPerImage, surround: input.surround, goldSpacing: true, ...(crowd ? { crowd } : {}) };
    const id = studies.create({ name: input.name, datasetId: input.datasetId, method: input.method, config: settings }, items);
    return core.summary(core.getStudy(id));
  }

  return { create };
}
