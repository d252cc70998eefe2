// Resolves image ids, map tokens and job ids to files the shells may send (originals, thumbnails, HIQA maps, job reports); never takes a path from the caller.
import { AppError } from '../../src-shared/api/errors';
import { explainDecodeMessage } from '../imaging/open-image';
import { isRawPath, rawFullFile, rawPreviewFile } from '../imaging/raw-files';
import { thumbnailFor } from '../imaging/thumbnails';
import { checkServedFile } from './access';
import { reportFile } from './reports';
import type { ServiceContext } from './context';
import { notFound } from './datasets.service';

export const FILE_KINDS = ['image', 'thumb', 'raw', 'map', 'reference', 'rate', 'report'] as const;

export interface ServedFile {
  path: string;
  contentType: string;
  /** The folder of the dataset the file belongs to, which confines it off loopback (see access.checkServedFile). */
  root?: string | null;
}

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  tif: 'image/tiff',
  bmp: 'image/bmp',
  avif: 'image/avif',
  heif: 'image/avif',
};

/** The Content-Type of an image file by its extension (or a sharp format name). */
export function contentTypeFor(pathOrFormat: string): string {
  const ext = pathOrFormat.slice(pathOrFormat.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Resolves a `map` token (see maps.service) to its PNG. */
export type MapFileResolver = (token: string) => ServedFile;

/** Resolves a rater's stimulus id (see studies.service) to its image, for that rater's study only. */
export type RateFileResolver = (id: string) => ServedFile;

export function createFileService(ctx: ServiceContext, mapFile?: MapFileResolver, rateFile?: RateFileResolver) {
  const rootOf = (datasetId: number) => ctx.store.datasets.get(datasetId)?.root ?? null;

  /** The file after the access check: its real path, confined to its dataset, the allowed roots and our own folders. */
  async function checked(file: ServedFile): Promise<ServedFile> {
    return { path: await checkServedFile(ctx, file.path, file.root ?? null), contentType: file.contentType };
  }

  async function thumbnail(source: string, imageId: number): Promise<string> {
    try {
      return await thumbnailFor(source, ctx.paths.thumbsDir);
    } catch (err) {
      // A truncated or corrupt file is the file's fault, not the server's: say which and why.
      throw new AppError('bad_input', `Image ${imageId} cannot be decoded for a thumbnail: ${explainDecodeMessage(err instanceof Error ? err.message : String(err))}`);
    }
  }

  return {
    async resolve(kind: string, rawId: string): Promise<ServedFile> {
      if (!(FILE_KINDS as readonly string[]).includes(kind)) {
        throw new AppError('not_found', `Unknown file kind: ${kind}`);
      }
      if (kind === 'map') {
        if (!mapFile) throw new AppError('not_found', 'Maps are not served here');
        return checked(mapFile(rawId));
      }
      if (kind === 'report') return checked(reportFile(ctx.paths, rawId));
      if (kind === 'rate') {
        if (!rateFile) throw new AppError('not_found', 'Study stimuli are not served here');
        return checked(rateFile(rawId));
      }
      if (!/^[1-9][0-9]{0,15}$/.test(rawId)) throw new AppError('validation', `Invalid ${kind === 'reference' ? 'reference' : 'image'} id: ${rawId}`);
      if (kind === 'reference') {
        const ref = ctx.store.datasets.getReference(Number(rawId)) ?? notFound('reference image', rawId);
        if (!ref.path) throw new AppError('not_found', `Reference ${ref.name} has no file`);
        return checked({ path: ref.path, contentType: contentTypeFor(ref.path), root: rootOf(ref.datasetId) });
      }
      const image = ctx.store.datasets.getImage(Number(rawId)) ?? notFound('image', rawId);
      if (image.error) throw new AppError('bad_input', `Image ${image.id} cannot be shown: ${image.error}`);
      const source = await checked({ path: image.path, contentType: CONTENT_TYPES[image.format ?? ''] ?? 'application/octet-stream', root: rootOf(image.datasetId) });
      if (kind === 'thumb') return { path: await thumbnail(source.path, image.id), contentType: 'image/webp' };
      // Browsers cannot show RAW: its embedded preview, or with `raw` the full LibRaw decode.
      if (isRawPath(source.path)) return { path: await (kind === 'raw' ? rawFullFile : rawPreviewFile)(source.path), contentType: 'image/jpeg' };
      if (kind === 'raw') throw new AppError('bad_input', `${image.name} is not a RAW file`);
      return source;
    },
  };
}
export type FileService = ReturnType<typeof createFileService>;
