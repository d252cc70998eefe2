// The default quality model: the measures' feature vector fed to a gradient-boosted regressor (weights: resources/models/quality/model.json).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resourcesDir } from '../../app/paths';
import type { LabelSpace } from '../train/checkpoint';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf } from './features';
import { predictGbt, type Gbt } from './gbt';
import type { Measures, SharpnessMap } from './measures';

import { QUALITY_MODEL_ID } from '../default-model';

export { QUALITY_MODEL_ID };
export const QUALITY_MODEL_FILE = () => join(resourcesDir(), 'models', QUALITY_MODEL_ID, 'model.json');

/** How models:list describes it. */
export const QUALITY_MODEL_INFO = {
  id: QUALITY_MODEL_ID,
  label: 'Technical quality (default)',
  citation: 'Measures of sharpness, noise, exposure and compression with BRISQUE statistics (Mittal et al., IEEE TIP 2012) and gradient-boosted trees (Friedman 2001)',
  kind: 'scorer' as const,
  trainable: false,
  defaults: {},
};

export interface QualityModelFile {
  format: 'iqa-quality-model/1';
  /** The feature names the regressor was trained on, in order (checked against FEATURE_NAMES on load). */
  features: string[];
  labels: LabelSpace;
  regressor: Gbt;
  /**
   * A blend: the score is `weight` x this file's regressor plus each member's weight x its regressor (each reading
   * its own features by name). Absent: the regressor alone.
   */
  weight?: number;
  members?: { weight: number; features: string[]; regressor: Gbt; training?: Record<string, unknown> }[];
  /** How it was made, for MODEL.md and reports. */
  training: Record<string, unknown>;
}

export interface QualityResult {
  /** Quality on the training labels' scale (pseudo-MOS 1-5, higher is better). */
  score: number;
  measures: Measures;
  map: SharpnessMap;
  /** Size the photo was analysed at. */
  analysed: { width: number; height: number };
}

export interface QualityModel {
  labels: LabelSpace;
  source: string;
  /** Scores an already decoded image (at analysis size). */
  assess(img: { width: number; height: number; data: Uint8Array }): QualityResult;
  assessFile(path: string): Promise<QualityResult>;
}

export async function loadQualityModel(file = QUALITY_MODEL_FILE()): Promise<QualityModel> {
  const m = JSON.parse(await readFile(file, 'utf8')) as QualityModelFile;
  if (m.format !== 'iqa-quality-model/1') throw new Error(`${file}: not a quality model file (format ${String(m.format)})`);
  const predict = qualityPredictor(m, file);
  const assess = (img: { width: number; height: number; data: Uint8Array }): QualityResult => {
    const { analysis, values } = featuresOf(img);
    const score = predict(values);
    return { score, measures: analysis.measures, map: analysis.map, analysed: { width: img.width, height: img.height } };
  };
  return {
    labels: m.labels,
    source: file,
    assess,
    assessFile: async (path: string) => assess(await decodeForAnalysis(path)),
  };
}

/**
 * The model file's score of a feature vector in this build's FEATURE_NAMES order, clamped to its label range. A file
 * trained on fewer features (an older model) reads them by name; one that needs a feature this build lacks is refused.
 */
export function qualityPredictor(m: QualityModelFile, file = 'model file'): (values: ArrayLike<number>) => number {
  const parts = [{ weight: m.weight ?? 1, features: m.features, regressor: m.regressor }, ...(m.members ?? [])].map((p) => ({ weight: p.weight, predict: gbtByName(p.features, p.regressor, file) }));
  const [lo, hi] = m.labels.range;
  return (values) => Math.min(hi, Math.max(lo, parts.reduce((s, p) => s + p.weight * p.predict(values), 0)));
}

function gbtByName(features: string[], regressor: Gbt, file: string): (values: ArrayLike<number>) => number {
  const at = features.map((n) => FEATURE_NAMES.indexOf(n));
  if (at.some((i) => i < 0)) throw new Error(`${file} was trained on features this build does not compute (${features.filter((_, k) => at[k]! < 0).join(', ')}); retrain it (scripts/quality/train.ts)`);
  const same = at.every((i, k) => i === k) && at.length === FEATURE_NAMES.length;
  const x = new Float64Array(at.length);
  return (values) => {
    if (!same) for (let k = 0; k < at.length; k++) x[k] = values[at[k]!]!;
    return predictGbt(regressor, same ? values : x);
  };
}

