// What every dataset importer produces: images with labels, references, distortions and splits, before any write.
import type { SplitPart } from '../../store/repos/splits.repo';

export type { SplitPart };

export interface ImportedImage {
  /** Path relative to the dataset folder, as the dataset's own files name it. */
  file: string;
  /** Content id: every image of one pristine scene shares it (drives content-disjoint splits). */
  reference?: string | null;
  /** Path of the reference image relative to the dataset folder, when the dataset ships references. */
  referenceFile?: string | null;
  distortion?: string | null;
  level?: number | null;
  /** The published label (MOS or DMOS), in the dataset's own range. */
  score: number;
  std?: number | null;
  /** Split name → part, e.g. { official_split: 'test', ratio802_seed123_split01: 'train' }. */
  splits?: Record<string, SplitPart>;
}

export interface ParsedDataset {
  /** Importer id that produced it. */
  format: string;
  labelKind: 'mos' | 'dmos' | 'level';
  scoreRange: [number, number];
  higherIsBetter: boolean;
  images: ImportedImage[];
  /** Facts worth telling the user (rows skipped on purpose, conventions applied). */
  notes: string[];
  /**
   * The label file the images came from and each image's row in it (1-based, header = row 1, index-aligned with
   * `images`), so commit-time problems point at the row to fix; without it problems count images from 1.
   */
  source?: { file: string; rows: number[] };
}

export interface ImporterOptions {
  /** A metadata file to read instead of the importer's default (generic and pyiqa CSV importers need one). */
  file?: string;
  /** Score range for formats that do not fix one (generic CSV). */
  scoreRange?: [number, number];
  higherIsBetter?: boolean;
  labelKind?: 'mos' | 'dmos';
  /**
   * Real folders every file the importer reads must lie in after symlinks (the dataset folder and a server's
   * --allow-root folders); null or absent: anywhere (the desktop app, the CLI, loopback serve mode).
   */
  fileRoots?: string[] | null;
}

export interface DatasetImporter {
  id: string;
  label: string;
  /** The published files it reads, for help text and error messages. */
  expects: string;
  parse(root: string, options: ImporterOptions): Promise<ParsedDataset>;
}
