// The rating session: each rater's own order, the current and next stimulus, votes and undos through one group commit (each vote durable before its reply), and coalesced progress events.
import { AppError } from '../../../src-shared/api/errors';
import type { RateSession } from '../../../src-shared/api/schemas';
import type { StudyItem, StudyRater, StudyRow } from '../../store/repos/studies.repo';
import { seededPermutation } from '../../studies/order';
import { spacedGoldOrder } from '../../studies/spaced-order';
import { createWriteBatcher } from '../write-batch';
import { checkValue, type StudyCore } from './core';
import type { createCrowd } from './crowd';
import type { createStimuli } from './stimuli';

/** The dashboard follows progress events; at hundreds of votes a second one event per study per interval is enough. */
const PROGRESS_INTERVAL_MS = 250;

export function createRating(core: StudyCore, stimuli: ReturnType<typeof createStimuli>, crowd: ReturnType<typeof createCrowd>) {
  const { studies, settingsOf, quotaOf } = core;

  /**
   * The rater's order over the study's rated items, one position at a time: test items in a seeded permutation with
   * the gold and trapping items spaced through the rater's quota, or (studies created before) one seeded permutation
   * of all, which a raters' stored cursor refers to.
   */
  function orderOf(study: StudyRow, r: StudyRater) {
    const gold = core.itemCounts(study.id).gold;
    if (!settingsOf(study).goldSpacing || !gold) return seededPermutation(study.ratedItems, r.seed);
    return spacedGoldOrder(study.ratedItems - gold, gold, quotaOf(study), r.seed);
  }

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

  function sessionOf(token: string, study: StudyRow, r: StudyRater): RateSession {
    const settings = settingsOf(study);
    const open = study.status === 'open';
    const pending = open ? pendingFrom(study, r, r.cursor, 2).items : [];
    const crowdNow = crowd.crowdState(token, study, r, open && !pending.length);
    const blocked = !!crowdNow && (crowdNow.disqualified || crowdNow.pending.length > 0);
    const item = (i: StudyItem | undefined) => (i && !blocked ? stimuli.rateItem(token, study, i) : null);
    return {
      study: { id: study.id, name: study.name, method: study.method, status: study.status, pauseMs: settings.pauseMs, maxPerSitting: settings.maxPerSitting, surround: settings.surround ?? 128 },
      crowd: crowdNow,
      rater: { id: r.raterId, name: r.name },
      done: r.votes,
      total: quotaOf(study),
      training: r.votes === 0 && open && !blocked ? core.roleItems(study.id, 'training').filter((i) => i.expected === null).map((i) => stimuli.rateItem(token, study, i)) : [],
      current: item(pending[0]),
      next: item(pending[1]),
      canUndo: open && r.votes > 0,
    };
  }
  const session = (token: string): RateSession => {
    const { study, rater } = core.rater(token);
    return sessionOf(token, study, rater);
  };

  /** Votes and undos of all raters go through one group commit (one fsync for the votes that arrive together). */
  const writes = createWriteBatcher(core.store);

  /** Stores a vote and moves the rater's cursor past every rated position (run inside the group commit, on the rater's fresh row). */
  function storeVote(token: string, item: StudyItem, value: number, durationMs: number | null): void {
    const { study, rater: r } = core.rater(token);
    studies.addRating({ raterId: r.raterId, item, method: study.method, value, durationMs });
    core.bump(study.id);
    if (item.rank !== null && orderOf(study, r).positionOf(item.rank) === r.cursor) {
      studies.setCursor(study.id, r.raterId, pendingFrom(study, r, r.cursor + 1, 1).first);
    }
  }

  /** Removes the rater's last vote; its position becomes the cursor again when it lies below it. */
  function undoVote(token: string): void {
    const { study, rater: r } = core.rater(token);
    const itemId = studies.undoLast(study.id, r.raterId);
    core.bump(study.id);
    const rank = itemId === null ? null : (studies.item(itemId)?.rank ?? null);
    if (rank === null) return;
    const position = orderOf(study, r).positionOf(rank);
    if (position < r.cursor) studies.setCursor(study.id, r.raterId, position);
  }

  /** The latest progress of each study, sent at most once per interval (the last one always goes out). */
  const progressPending = new Map<number, { raterId: number; done: number; total: number }>();
  const progressSentAt = new Map<number, number>();
  function progress(studyId: number, p: { raterId: number; done: number; total: number }): void {
    const waiting = progressPending.has(studyId);
    progressPending.set(studyId, p);
    if (waiting) return;
    const send = () => {
      const latest = progressPending.get(studyId);
      progressPending.delete(studyId);
      progressSentAt.set(studyId, Date.now());
      if (latest) core.ctx.events.emit('studies:progress', { studyId, ...latest });
    };
    const wait = (progressSentAt.get(studyId) ?? -Infinity) + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) send();
    else setTimeout(send, wait).unref();
  }

  /** The rater's session after a write, with the progress event the dashboard follows. */
  function afterWrite(token: string): RateSession {
    const next = session(token);
    progress(next.study.id, { raterId: next.rater.id, done: next.done, total: next.total });
    return next;
  }

  function submit(token: string, itemId: number, value: number, durationMs: number | null): Promise<RateSession> {
    const { study, rater: r } = core.rater(token);
    if (study.status !== 'open') throw new AppError('conflict', 'This study is closed; thank you for rating');
    const item = studies.item(itemId);
    if (!item || item.studyId !== study.id || item.role === 'training') throw new AppError('validation', `Item ${itemId} is not a rated item of this study`);
    checkValue(study.method, value);
    const crowdNow = crowd.crowdState(token, study, r, false);
    if (crowdNow?.disqualified) throw new AppError('forbidden', 'This study needs raters who passed its checks; thank you for your time');
    if (crowdNow?.pending.length) throw new AppError('conflict', `Finish the ${crowdNow.pending[0]} step first`);
    // Committed (synchronous=FULL) before the reply, so the next stimulus is only shown once this vote is on disk.
    return writes.submit(() => storeVote(token, item, value, durationMs), () => afterWrite(token));
  }

  function undo(token: string): Promise<RateSession> {
    const { study } = core.rater(token);
    if (study.status !== 'open') throw new AppError('conflict', 'This study is closed');
    return writes.submit(() => undoVote(token), () => afterWrite(token));
  }

  return { session, submit, undo };
}
