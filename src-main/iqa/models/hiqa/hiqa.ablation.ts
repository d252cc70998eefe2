// HIQA's ablation study as config variants: the ladder of the paper's Fig. 4 (BL → +HCM → +QPL → +ADV → +QADV → +HSF), Ours+Oracle [P §4.1-4.2], and leave-one-out from the full model.
import { AppError } from '../../../../src-shared/api/errors';
import { HiqaConfig } from './hiqa.config';

export interface AblationVariant {
  id: string;
  /** The paper's name for the row ("BL+HCM+QPL", "Ours+Oracle") or what was switched off. */
  label: string;
  /** What this row changes, in words. */
  description: string;
  /** modelConfig keys this row sets over the base config. */
  overrides: Partial<Pick<HiqaConfig, 'discrepancy' | 'fusion' | 'discriminator' | 'qualityAwareLoss' | 'oracle'>>;
}

const ALL_OFF = { discrepancy: false, fusion: false, discriminator: 'none', qualityAwareLoss: false, oracle: false } as const;
const FULL = { discrepancy: true, fusion: true, discriminator: 'iqa', qualityAwareLoss: true, oracle: false } as const;

/** Fig. 4 of the paper, bottom to top (TID2008 SROCC 0.755 → 0.941 there; methods.md "HIQA main Fig. 4"), then the oracle. */
export const HIQA_LADDER: readonly AblationVariant[] = [
  { id: 'bl', label: 'BL', description: 'R on I_d only: no discrepancy map, no fusion, no D, no l_q', overrides: { ...ALL_OFF } },
  { id: 'hcm', label: 'BL+HCM', description: '+ the discrepancy map |I_d − G(I_d)| (G trained with the pixel loss)', overrides: { ...ALL_OFF, discrepancy: true } },
  { id: 'hcm_qpl', label: 'BL+HCM+QPL', description: '+ the quality-aware loss l_q from R_pre', overrides: { ...ALL_OFF, discrepancy: true, qualityAwareLoss: true } },
  {
    id: 'hcm_qpl_adv',
    label: 'BL+HCM+QPL+ADV',
    description: '+ a plain real/fake discriminator',
    overrides: { ...ALL_OFF, discrepancy: true, qualityAwareLoss: true, discriminator: 'plain' },
  },
  {
    id: 'hcm_qpl_qadv',
    label: 'BL+HCM+QPL+QADV',
    description: '+ the IQA-discriminator (d_fake from R’s error, eq. 7) instead',
    overrides: { ...FULL, fusion: false },
  },
  { id: 'full', label: 'BL+HCM+QPL+QADV+HSF', description: '+ the high-level semantic fusion f(H(5,2)): the full model', overrides: { ...FULL } },
  { id: 'oracle', label: 'Ours+Oracle', description: 'the full model with the TRUE reference instead of the hallucination (upper bound)', overrides: { ...FULL, oracle: true } },
];

/** The full model with one part taken out at a time. */
export const HIQA_LEAVE_ONE_OUT: readonly AblationVariant[] = [
  { id: 'full', label: 'full', description: 'every part on', overrides: { ...FULL } },
  { id: 'no_discrepancy', label: '− discrepancy map', description: 'R on I_d (and the fusion) without |I_d − G(I_d)|', overrides: { ...FULL, discrepancy: false } },
  { id: 'no_fusion', label: '− fusion', description: 'no f(H(5,2)) before R’s FC layers', overrides: { ...FULL, fusion: false } },
  { id: 'plain_d', label: 'plain D', description: 'a real/fake discriminator instead of the IQA-discriminator', overrides: { ...FULL, discriminator: 'plain' } },
  { id: 'no_d', label: '− D', description: 'no discriminator, no adversarial term', overrides: { ...FULL, discriminator: 'none' } },
  { id: 'no_qpl', label: '− QPL', description: 'no quality-aware loss (and no R_pre)', overrides: { ...FULL, qualityAwareLoss: false } },
];

export const HIQA_ABLATION_PRESETS = { ladder: HIQA_LADDER, 'leave-one-out': HIQA_LEAVE_ONE_OUT } as const;
export type HiqaAblationPreset = keyof typeof HIQA_ABLATION_PRESETS;

/**
 * One variant's modelConfig and epoch count from the base's. The R_pre epochs exist only with the quality-aware loss
 * (hiqaPhaseFor), so a variant that turns it off (or on) gets that many epochs fewer (or more): every row then trains
 * G and R for the same number of epochs.
 */
export function ablationVariantConfig(
  base: Record<string, unknown>,
  epochs: number,
  variant: AblationVariant,
): { modelConfig: Record<string, unknown>; epochs: number } {
  const parsed = HiqaConfig.safeParse(base);
  if (!parsed.success) throw new AppError('validation', `HIQA ablation: the base modelConfig is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
  const before = parsed.data;
  const modelConfig = { ...base, ...variant.overrides };
  const after = HiqaConfig.parse(modelConfig);
  const rpre = (c: HiqaConfig) => (c.qualityAwareLoss ? c.schedule.rpreEpochs : 0);
  const adjusted = epochs - rpre(before) + rpre(after);
  if (adjusted <= after.schedule.regressorEpochs) {
    throw new AppError('validation', `HIQA ablation: ${epochs} epochs leave variant "${variant.id}" no epoch before R's own (${after.schedule.regressorEpochs})`);
  }
  return { modelConfig, epochs: adjusted };
}
