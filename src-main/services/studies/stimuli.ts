// What a rater is shown: a stimulus's ids and instruction (trapping items tell the rater what to answer), and the file behind a stimulus id, for that rater's study only.
import { AppError } from '../../../src-shared/api/errors';
import type { RateItem } from '../../../src-shared/api/schemas';
import type { StudyItem, StudyMethod, StudyRow } from '../../store/repos/studies.repo';
import { notFound } from '../datasets.service';
import { contentTypeFor, type ServedFile } from '../files.service';
import type { StudyCore } from './core';

const ACR_LABELS: Record<number, string> = { 1: 'Bad', 2: 'Poor', 3: 'Fair', 4: 'Good', 5: 'Excellent' };
function trapInstruction(method: StudyMethod, expected: number): string {
  if (method === 'slider') return `Attention check: set the slider to ${expected} for this image.`;
  return `Attention check: answer ${expected}${method === 'acr' && ACR_LABELS[expected] ? ` (${ACR_LABELS[expected]})` : ''} for this image.`;
}

export function createStimuli(core: StudyCore) {
  const { studies, settingsOf } = core;

  function rateItem(token: string, study: StudyRow, item: StudyItem): RateItem {
    const file = (side: 'a' | 'b') => `${token}~${item.id}~${side}`;
    const twoSided = study.method === 'dcr' || study.method === 'pairwise';
    const trap = item.role === 'gold' && item.expected !== null && settingsOf(study).crowd?.trapImageIds.includes(item.imageId);
    return { itemId: item.id, role: item.role, first: file('a'), second: twoSided ? file('b') : null, instruction: trap ? trapInstruction(study.method, item.expected!) : null };
  }

  /** The file behind a rater's stimulus id `<token>~<itemId>~<a|b>`, only for an item of that rater's study. */
  function rateFile(id: string): ServedFile {
    const m = /^([A-Za-z0-9_-]{16,200})~([1-9][0-9]{0,15})~([ab])$/.exec(id);
    if (!m) throw new AppError('validation', 'Invalid stimulus id');
    const { study } = core.rater(m[1]!);
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
    const image = core.store.datasets.getImage(imageId) ?? notFound('image', imageId);
    return { path: image.path, contentType: contentTypeFor(image.path), root: studies.datasetRoot(image.datasetId) };
  }

  return { rateItem, rateFile };
}
