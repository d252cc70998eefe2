// The model that scores when none is named (`iqa score`, `iqa library score`, the Library): the technical quality model.
export const QUALITY_MODEL_ID = 'quality';
export const DEFAULT_MODEL = QUALITY_MODEL_ID;
