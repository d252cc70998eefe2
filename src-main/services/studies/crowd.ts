// Crowd studies (P.808 / P.910): the join link, the environment check with its brightness pattern, demographics, the qualification step, and the completion code.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ParsedInputOf } from '../../../src-shared/api/contract';
import { AppError } from '../../../src-shared/api/errors';
import type { CrowdSettings, RateSession } from '../../../src-shared/api/schemas';
import type { StudyRater, StudyRow } from '../../store/repos/studies.repo';
import { seededRandom } from '../../util/random';
import { hashToken, type StudyCore } from './core';
import type { createStimuli } from './stimuli';

/** What a crowd rater's meta records. */
interface CrowdMeta {
  participant?: string;
  environment?: { screenWidth: number; screenHeight: number; pattern: string; passed?: boolean; tries: number };
  demographics?: Record<string, string>;
  qualification?: { correct: number; of: number; passed: boolean };
}

type CrowdStep = 'environment' | 'demographics' | 'qualification';

/** The digits a rater reads off the brightness test pattern (one per patch, drawn at low contrast); fixed per rater. */
export function brightnessPattern(seed: number): string {
  const random = seededRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: 4 }, () => String(1 + Math.floor(random() * 9))).join('');
}

/** The crowd steps this rater still has to do, in order. */
function crowdPending(crowd: CrowdSettings, r: StudyRater, hasQualification: boolean): CrowdStep[] {
  const meta = r.meta as CrowdMeta;
  const out: CrowdStep[] = [];
  if (crowd.environment && !meta.environment?.passed) out.push('environment');
  if (crowd.demographics && !meta.demographics) out.push('demographics');
  if (hasQualification && !meta.qualification) out.push('qualification');
  return out;
}

export function createCrowd(core: StudyCore, stimuli: ReturnType<typeof createStimuli>) {
  const { studies, settingsOf } = core;
  /** Qualification items are training items with an expected answer. */
  const qualificationItems = (studyId: number) => core.roleItems(studyId, 'training').filter((i) => i.expected !== null);

  function crowdState(token: string, study: StudyRow, r: StudyRater, done: boolean): RateSession['crowd'] {
    const crowd = settingsOf(study).crowd;
    if (!crowd) return null;
    const meta = r.meta as CrowdMeta;
    const qualification = qualificationItems(study.id);
    const pending = crowdPending(crowd, r, qualification.length > 0);
    const disqualified = meta.qualification?.passed === false || meta.environment?.passed === false;
    return {
      pending,
      environment: crowd.environment ? { minWidth: crowd.environment.minWidth, minHeight: crowd.environment.minHeight, pattern: crowd.environment.brightness ? brightnessPattern(r.seed) : null } : null,
      qualification: pending.includes('qualification') ? qualification.map((i) => stimuli.rateItem(token, study, i)) : [],
      disqualified,
      completion: done && !disqualified ? { code: crowd.completionCode, returnUrl: crowd.returnUrl?.replaceAll('{code}', encodeURIComponent(crowd.completionCode)) ?? null } : null,
    };
  }

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
  function crowdStep(input: ParsedInputOf<'rate:crowd'>): void {
    const { study, rater: r } = core.rater(input.token);
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
      const items = qualificationItems(study.id);
      const given = new Map(input.qualification.map((q) => [q.itemId, q.value]));
      if (items.some((i) => !given.has(i.id))) throw new AppError('validation', 'Answer every qualification item');
      const tolerance = study.method === 'slider' ? 20 : 1;
      const correct = items.filter((i) => Math.abs(given.get(i.id)! - i.expected!) <= tolerance).length;
      meta.qualification = { correct, of: items.length, passed: correct >= Math.ceil(crowd.qualificationMin * items.length) };
    }
    studies.setRaterMeta(r.raterId, meta);
  }

  return { crowdState, join, crowdStep };
}
