// XMP model: the namespaces, the values a sidecar carries (rating, label, iqa score and measures) and XmpError.

/** Namespaces this module reads or writes. `iqa` is the workbench's own namespace. */
export const XMP_NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  iqa: 'https://github.com/iqa-workbench/ns/1.0/',
} as const;

export type SidecarNaming = 'darktable' | 'lightroom';

export interface SidecarScore {
  /** Model output on `scale`. */
  value: number;
  /** Model identifier, e.g. `hyperiqa@koniq`. */
  model: string;
  /** Scale description, e.g. `0-1` or `mos-1-5`. */
  scale: string;
  /** ISO 8601 time of scoring. On write: when omitted it is set to now, unless the stored score is unchanged. */
  scoredAt?: string;
}

/** The technical measures as iqa:Sharpness, iqa:Noise, iqa:ClippedHighlights, iqa:ClippedShadows, iqa:MeanLuminance, iqa:Compression. */
export interface SidecarMeasures {
  sharpness: number;
  noise: number;
  clippedHighlights: number;
  clippedShadows: number;
  meanLuminance: number;
  compression: number;
}

/** Each measure's XMP property in the iqa namespace. */
export const MEASURE_PROPERTIES: Record<keyof SidecarMeasures, string> = {
  sharpness: 'Sharpness',
  noise: 'Noise',
  clippedHighlights: 'ClippedHighlights',
  clippedShadows: 'ClippedShadows',
  meanLuminance: 'MeanLuminance',
  compression: 'Compression',
};

export interface SidecarData {
  /** xmp:Rating: an integer from -1 (rejected) to 5; null when absent or anything else. */
  rating: number | null;
  /** xmp:Label (colour label in Lightroom/darktable/Bridge), when present. */
  label?: string;
  /** iqa:Score and friends, when iqa:Score is present and numeric. */
  score?: SidecarScore;
  /** iqa:Sharpness and the other measures, when all are present and numeric. */
  measures?: SidecarMeasures;
  /** The sidecar text exactly as read. */
  raw: string;
}

/**
 * What to change. `undefined` leaves a field as it is; `null` removes it
 * (`score: null` removes iqa:Score, iqa:ScoreModel, iqa:ScoreScale and iqa:ScoredAt).
 */
export interface SidecarUpdate {
  rating?: number | null;
  /** xmp:Label, the colour label ("Red", "Yellow", ...). */
  label?: string | null;
  score?: SidecarScore | null;
  /** `null` removes every iqa measure property. */
  measures?: SidecarMeasures | null;
}

export interface WriteResult {
  path: string;
  /** False when the file already held exactly these values (no bytes written). */
  changed: boolean;
  /** True when no sidecar existed before. */
  created: boolean;
}

export interface SidecarCandidate {
  naming: SidecarNaming;
  path: string;
  exists: boolean;
}

export interface SidecarLookup {
  /** The sidecar to use: the existing one (the preferred naming when both exist), else null. */
  path: string | null;
  naming: SidecarNaming | null;
  /** True when both `photo.jpg.xmp` and `photo.xmp` exist; the caller may want to warn. */
  both: boolean;
  candidates: SidecarCandidate[];
}

export class XmpError extends Error {
  override name = 'XmpError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${message} (${file})` : message);
  }
}
