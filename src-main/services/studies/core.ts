// What the study services share: studies and their settings, item tables that never change after creation (cached), raters found by their link's token (cached), and each study's write version.
import { createHash } from 'node:crypto';
import { AppError } from '../../../src-shared/api/errors';
import type { StudySettings, StudySummary } from '../../../src-shared/api/schemas';
import type { ItemRole, StudyItem, StudyMethod, StudyRater, StudyRow } from '../../store/repos/studies.repo';
import { METHOD_SCALE } from '../../studies/aggregate';
import type { ServiceContext } from '../context';
import { notFound } from '../datasets.service';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A file-name-safe form of a study's name. */
export const studySlug = (study: StudyRow) => study.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || `study-${study.id}`;

/** Durations behind a rater's "median time per vote": their latest votes, so the figure costs the same at any study size. */
const RECENT_DURATIONS = 101;
/** A dashboard polling a busy study reads the medians from memory this long (they move slowly). */
const MEDIAN_STALE_MS = 2000;

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function checkValue(method: StudyMethod, value: number): void {
  const [lo, hi] = METHOD_SCALE[method];
  const integral = method !== 'slider';
  if (value < lo || value > hi || (integral && !Number.isInteger(value))) {
    throw new AppError('validation', `A ${method} rating is ${integral ? 'an integer' : 'a number'} from ${lo} to ${hi}; got ${value}`);
  }
}

export function createStudyCore(ctx: ServiceContext) {
  const { store } = ctx;
  const studies = store.studies;

  /** Study rows with their parsed settings, read once: only setStatus changes one (see forgetStudy), a dataset delete removes them. */
  const studyRows = new Map<number, StudyRow>();
  const getStudy = (id: number): StudyRow => {
    const row = studyRows.get(id) ?? studies.get(id);
    if (!row) return notFound('study', id);
    studyRows.set(id, row);
    return row;
  };
  const forgetStudy = (id: number) => studyRows.delete(id);
  ctx.events.subscribe((event) => {
    if (event === 'datasets:changed') studyRows.clear();
  });
  const settingsOf = (s: StudyRow): StudySettings => s.config as unknown as StudySettings;

  /** Item counts and items by role: a study's items never change after it is created. */
  const countsCache = new Map<number, Record<ItemRole, number>>();
  const itemCounts = (studyId: number) => countsCache.get(studyId) ?? countsCache.set(studyId, studies.itemCounts(studyId)).get(studyId)!;
  const roleCache = new Map<string, StudyItem[]>();
  /** The study's items of a role (training and gold lists are short; they are read on every session of a crowd study). */
  const roleItems = (studyId: number, role: ItemRole): StudyItem[] =>
    roleCache.get(`${studyId}:${role}`) ?? roleCache.set(`${studyId}:${role}`, studies.itemsByRole(studyId, role)).get(`${studyId}:${role}`)!;

  /** How many items this rater is asked to rate: all, or the crowd quota. */
  const quotaOf = (study: StudyRow): number => Math.min(study.ratedItems, settingsOf(study).crowd?.quota ?? Infinity);

  /**
   * Rater links to their study and rater ids, filled on first use: a vote then reads its rater by primary key instead
   * of hashing the token and searching the hashes. Only valid links are kept, so made-up tokens cannot grow it.
   */
  const identities = new Map<string, { studyId: number; raterId: number }>();
  const invalidLink = () => new AppError('unauthorized', 'This rating link is not valid (ask the study organiser for a new one)');

  function rater(token: string): { study: StudyRow; rater: StudyRater } {
    const known = identities.get(token);
    if (known) {
      const r = studies.studyRater(known.studyId, known.raterId);
      if (r) return { study: getStudy(known.studyId), rater: r };
      identities.delete(token);
    }
    const found = studies.byTokenHash(hashToken(token));
    if (!found) throw invalidLink();
    identities.set(token, { studyId: found.studyId, raterId: found.rater.raterId });
    return { study: getStudy(found.studyId), rater: found.rater };
  }
  const isRaterToken = (token: string): boolean => identities.has(token) || studies.byTokenHash(hashToken(token)) !== undefined;

  /** Bumped by every vote and undo: results computed at one version are reused until the next write. */
  const versions = new Map<number, number>();
  const version = (studyId: number) => versions.get(studyId) ?? 0;
  const bump = (studyId: number) => versions.set(studyId, version(studyId) + 1);

  /** Each rater's median time per vote, recomputed when they voted since (from 20 votes on, once the figure is MEDIAN_STALE_MS old). */
  const medians = new Map<number, { votes: number; at: number; value: number | null }>();
  function medianMs(r: StudyRater): number | null {
    const hit = medians.get(r.raterId);
    const now = Date.now();
    if (hit && (hit.votes === r.votes || (hit.votes >= 20 && now - hit.at < MEDIAN_STALE_MS))) return hit.value;
    const value = median(studies.recentDurations(r.raterId, RECENT_DURATIONS));
    medians.set(r.raterId, { votes: r.votes, at: now, value });
    return value;
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
        medianMs: medianMs(r),
      })),
    };
  }

  return { ctx, store, studies, getStudy, forgetStudy, settingsOf, itemCounts, roleItems, quotaOf, rater, isRaterToken, version, bump, summary };
}
export type StudyCore = ReturnType<typeof createStudyCore>;
