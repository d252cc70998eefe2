// The model that scores when none is named (`iqa score`, `iqa library score`, the Library): the technical quality model.
export const QUALITY_MODEL_ID = 'quality';
/** @alias the name callers that do not care which model it is use. */
export const DEFAULT_MODEL = QUALITY_MODEL_ID;
