// images:maps: a hallucinating run's views of one image (distorted, hallucinated, discrepancy; true reference and |I_d − I_r|; the |d| maps auto-scaled and at a fixed gain), cached as PNGs and served by token.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import { MapKind, type ImageMaps } from '../../src-shared/api/schemas';
import { absMapBytes, autoScale, FIXED_GAIN } from '../imaging/abs-map-scale';
import { psnr, ssim } from '../imaging/fr-metrics';
import type { ScorerCache } from '../iqa/score/scorer-cache';
import type { ServiceContext } from './context';
import type { ServedFile } from './files.service';

/** A map file's token: `<runId>-<imageId>-<kind>[-fixed]`, ids positive integers, kind one of MapKind; `-fixed`: a |d| map at the fixed gain. */
const TOKEN = new RegExp(`^([1-9][0-9]{0,15})-([1-9][0-9]{0,15})-(${MapKind.options.join('|')})(-fixed)?$`);

export function mapToken(runId: number, imageId: number, kind: MapKind, fixed = false): string {
  return `${runId}-${imageId}-${kind}${fixed ? '-fixed' : ''}`;
}

/** What is kept beside the PNGs, so a second request for the same image and checkpoint decodes nothing. */
interface MapsMeta extends ImageMaps {
  checkpoint: string;
}

export function createMapService(ctx: ServiceContext, scorers: ScorerCache) {
  const { store } = ctx;
  /** Map computations run one at a time: they share the scorer and the CPU. */
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const dirOf = (runId: number) => join(ctx.paths.cacheDir, 'maps', String(runId));
  const fileOf = (runId: number, imageId: number, kind: MapKind, fixed = false) => join(dirOf(runId), `${imageId}.${kind}${fixed ? '.fixed' : ''}.png`);

  function referencePathOf(imageId: number): string | null {
    const path = store.images.referencePath(imageId);
    return path !== null && existsSync(path) ? path : null;
  }

  async function writePng(file: string, data: Buffer, width: number, height: number): Promise<void> {
    const tmp = `${file}.${process.pid}.tmp`;
    await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(tmp);
    await rename(tmp, file);
  }

  async function compute(imageId: number, runId: number): Promise<ImageMaps> {
    if (closed) throw new AppError('cancelled', 'The app is shutting down');
    const image = store.datasets.getImage(imageId) ?? AppError.notFound('image', imageId);
    if (image.error) throw new AppError('bad_input', `Image ${image.id} cannot be shown: ${image.error}`);
    const run = store.runs.get(runId) ?? AppError.notFound('run', runId);
    if (!run.checkpointPath) throw new AppError('validation', `Run #${run.id} has no checkpoint yet; inspect with it once it has finished an epoch`);

    const metaFile = join(dirOf(runId), `${imageId}.json`);
    const known = await readFile(metaFile, 'utf8').then((t) => JSON.parse(t) as MapsMeta, () => null);
    const cached = (m: MapsMeta) => m.views.every((v) => existsSync(fileOf(runId, imageId, v.kind))) && m.scales.every((x) => existsSync(fileOf(runId, imageId, x.kind, true)));
    // Maps cached before the auto-scaled views (no `scales`) are made again.
    if (known?.scales && known.checkpoint === run.checkpointPath && cached(known)) {
      const { checkpoint: _checkpoint, ...maps } = known;
      return maps;
    }

    const refPath = referencePathOf(imageId);
    const m = await scorers.use(run.checkpointPath, (scorer) => {
      if (!scorer.maps) throw new AppError('validation', `Run #${run.id} trained a ${run.model} model, which does not hallucinate a reference; pick a hiqa run`);
      return scorer.maps(image.path, refPath ? { alongside: refPath } : {});
    });
    const { width, height } = m;
    const out: ImageMaps = { imageId, runId, width, height, views: [], discrepancyGain: FIXED_GAIN, scales: [] };
    const images: [MapKind, Buffer][] = [
      ['distorted', m.distorted],
      ['hallucinated', m.reference],
    ];
    const fixedImages: [MapKind, Buffer][] = [];
    /** A |d| map: the auto-scaled view, and the fixed-gain one beside it. */
    const absMap = (kind: MapKind, values: Float32Array) => {
      const scale = autoScale(values);
      images.push([kind, absMapBytes(values, scale.gain)]);
      fixedImages.push([kind, absMapBytes(values, FIXED_GAIN)]);
      out.scales.push({ kind, ...scale, fixedFileId: mapToken(runId, imageId, kind, true) });
    };
    absMap('discrepancy', m.discrepancyValues);
    if (m.alongside) {
      const difference = new Float32Array(m.distorted.length);
      for (let i = 0; i < difference.length; i++) difference[i] = Math.abs(m.distorted[i]! - m.alongside[i]!) / 255;
      images.push(['reference', m.alongside]);
      absMap('difference', difference);
      const truth = { width, height, data: m.alongside };
      const hallucinated = { width, height, data: m.reference };
      const p = psnr(truth, hallucinated);
      const s = ssim(truth, hallucinated);
      if (Number.isFinite(p)) out.psnr = p;
      if (Number.isFinite(s)) out.ssim = s;
    }
    await mkdir(dirOf(runId), { recursive: true });
    for (const [kind, data] of images) {
      await writePng(fileOf(runId, imageId, kind), data, width, height);
      out.views.push({ kind, fileId: mapToken(runId, imageId, kind) });
    }
    for (const [kind, data] of fixedImages) await writePng(fileOf(runId, imageId, kind, true), data, width, height);
    const meta: MapsMeta = { ...out, checkpoint: run.checkpointPath };
    await writeFile(metaFile, JSON.stringify(meta));
    return out;
  }

  const handlers: Pick<Handlers, 'images:maps'> = {
    'images:maps': ({ imageId, runId }) => {
      const next = queue.then(() => compute(imageId, runId));
      queue = next.catch(() => undefined);
      return next;
    },
  };

  return {
    handlers,
    /** The PNG of a map token; only tokens of the strict form, for a run and image that exist, whose file was written. */
    resolveFile(token: string): ServedFile {
      const m = TOKEN.exec(token);
      if (!m) throw new AppError('not_found', `Invalid map id: ${token}`);
      const runId = Number(m[1]);
      const imageId = Number(m[2]);
      const kind = m[3] as MapKind;
      const fixed = m[4] !== undefined;
      if (fixed && kind !== 'discrepancy' && kind !== 'difference') throw new AppError('not_found', `No map ${token}: only |d| maps have a fixed-gain view`);
      if (!store.runs.get(runId) || !store.datasets.getImage(imageId)) throw new AppError('not_found', `No map ${token}`);
      const path = fileOf(runId, imageId, kind, fixed);
      if (!existsSync(path)) throw new AppError('not_found', `No map ${token}; ask for images:maps first`);
      return { path, contentType: 'image/png' };
    },
    shutdown(): void {
      closed = true;
    },
  };
}
export type MapService = ReturnType<typeof createMapService>;

