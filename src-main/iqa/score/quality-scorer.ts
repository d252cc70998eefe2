// The default quality model behind the Scorer interface: whole photo at analysis size in, score and technical measures out.
import { decodeForAnalysis } from '../quality/features';
import { loadQualityModel, QUALITY_MODEL_ID } from '../quality/model';
import { isPatchBatch, type ImageScore, type PreparedImage, type Scorer, type WeightsSource } from './scorer-types';

/** Whether the weights name the shipped quality model (no run, checkpoint or file: the default). */
export const isShippedQuality = (src: WeightsSource): boolean => !src.checkpoint && !src.weights && (src.model ?? QUALITY_MODEL_ID) === QUALITY_MODEL_ID;

export async function loadQualityScorer(): Promise<Scorer> {
  const model = await loadQualityModel();
  const predict = async (prepared: PreparedImage): Promise<ImageScore> => {
    if (isPatchBatch(prepared)) throw new Error('the quality model reads a whole photo, not crops');
    const r = model.assess(prepared);
    return { score: r.score, crops: 1, measures: r.measures };
  };
  return {
    modelId: QUALITY_MODEL_ID,
    engine: { name: 'typescript', label: 'TypeScript (gradient-boosted trees)' },
    config: {},
    protocol: null,
    source: model.source,
    labels: model.labels,
    prepare: (path) => decodeForAnalysis(path),
    predict,
    scoreFile: async (path) => predict(await decodeForAnalysis(path)),
    maps: null,
    dispose: () => undefined,
  };
}
