// DT-GAN's registry entry (Yang, Li & Liu, TMM 2021, §IV): its config, input protocol and training loop, apart from the networks so dtgan.arch and dtgan.train do not import each other.
import type { z } from 'zod';
import type { ModelSpec } from '../model';
import { createDtgan, DtganConfig, loadDtganVgg16, resolveDtganSizes, type DtganModel } from './dtgan.arch';
import { trainDtgan } from './dtgan.train';

export const dtganSpec: ModelSpec<DtganConfig> = {
  id: 'dtgan',
  kind: 'translator',
  label: 'DT-GAN (TTL-IQA distortion-translation GAN, one per quality level)',
  citation: 'Yang, Li & Liu, "TTL-IQA: Transitive transfer learning based no-reference image quality assessment", IEEE TMM 2021, §IV eq. 8-14, Tables II-III',
  configSchema: DtganConfig as unknown as z.ZodType<DtganConfig>,
  input: (c) => ({
    patch: resolveDtganSizes(c).patch,
    trainCrops: 1,
    testCrops: 1,
    // "Sample enhancement": the distorted samples plus their flipped copies [P §IV-D].
    flip: true,
    imagenet: false,
  }),
  create: createDtgan,
  trainLoop: (opts) => trainDtgan(opts),
  // 200 epochs at batch 1 [P §VI-A.3]; the DT-GAN takes its LR from its config (lr, decayEpochs), not from hyper.
  defaultHyper: { epochs: 200, batchImages: 1, lr: 2e-4, weightDecay: 0, lrDecay: { every: 0, factor: 1 } },
  prepare: async (model, config) => {
    if (config.vggWeights) await loadDtganVgg16(model as DtganModel, config.vggWeights);
  },
};
