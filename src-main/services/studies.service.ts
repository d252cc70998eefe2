// Subjective studies: the API handlers over set-up, rater links, the rating session, crowd steps, results, publishing and exports (each concern in services/studies/).
import { randomBytes } from 'node:crypto';
import type { Handlers } from '../../src-shared/api/contract';
import type { ServiceContext } from './context';
import { createStudyCore, hashToken } from './studies/core';
import { createStudySetup } from './studies/create';
import { createCrowd } from './studies/crowd';
import { createStudyExports } from './studies/exports';
import { createRating } from './studies/rating';
import { createStudyResults } from './studies/results';
import { createStimuli } from './studies/stimuli';

export { brightnessPattern } from './studies/crowd';

export function createStudyService(ctx: ServiceContext) {
  const core = createStudyCore(ctx);
  const { studies, getStudy, summary } = core;
  const stimuli = createStimuli(core);
  const crowd = createCrowd(core, stimuli);
  const rating = createRating(core, stimuli, crowd);
  const setup = createStudySetup(core);
  const results = createStudyResults(core);
  const exports = createStudyExports(core, results.results);

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
    'studies:create': (input) => setup.create(input),
    'studies:addRater': ({ studyId, name }) => {
      const study = getStudy(studyId);
      const token = randomBytes(24).toString('base64url');
      const seed = randomBytes(4).readUInt32LE(0) & 0x7fffffff;
      const raterId = studies.addRater(study.id, name, hashToken(token), seed);
      core.bump(study.id);
      return { raterId, name, token, path: `#/rate/${token}` };
    },
    'studies:setStatus': ({ id, status }) => {
      getStudy(id);
      studies.setStatus(id, status);
      core.forgetStudy(id);
      return summary(getStudy(id));
    },
    'studies:results': (input) => results.page(input),
    'studies:publish': (input) => results.publish(input),
    'studies:export': (input) => exports.exportCsv(input),
    'rate:session': ({ token }) => rating.session(token),
    'rate:submit': ({ token, itemId, value, durationMs }) => rating.submit(token, itemId, value, durationMs),
    'rate:undo': ({ token }) => rating.undo(token),
    'rate:join': ({ joinToken, participant }) => {
      const joined = crowd.join(joinToken, participant);
      core.bump(core.rater(joined.token).study.id);
      return joined;
    },
    'rate:crowd': (input) => {
      crowd.crowdStep(input);
      core.bump(core.rater(input.token).study.id);
      return rating.session(input.token);
    },
  };

  return { handlers, rateFile: stimuli.rateFile, votesCsv: exports.votesCsv, isRaterToken: core.isRaterToken };
}
