// images:siblings: every image of one content beside its pristine reference (TTL-IQA's levels of one photo, a synthetic set's distortions), with SSIM/PSNR.
import { AppError } from '../../src-shared/api/errors';
import { existsSync } from 'node:fs';
import type { Handlers } from '../../src-shared/api/contract';
import type { ImageSiblings } from '../../src-shared/api/schemas';
import { psnr, ssim } from '../imaging/fr-metrics';
import { loadRgb, type RawImage } from '../imaging/raw-image';
import type { ServiceContext } from './context';

/** Full-reference figures are computed for at most this many siblings (decoding is the cost). */
const MAX_FR = 40;

export function siblingHandlers(ctx: ServiceContext): Pick<Handlers, 'images:siblings'> {
  const { store } = ctx;
  return {
    'images:siblings': async ({ imageId }) => {
      const image = store.datasets.getImage(imageId) ?? AppError.notFound('image', imageId);
      const referenceId = store.images.referenceId(imageId);
      const ref = referenceId === null ? undefined : store.datasets.getReference(referenceId);
      const auxiliary = store.datasets.auxiliary(image.datasetId);
      const list = ref ? store.datasets.siblings(imageId) : [image];
      const refShown = Boolean(ref?.path && existsSync(ref.path));
      let refRgb: RawImage | null = null;
      if (refShown && list.length <= MAX_FR) refRgb = await loadRgb(ref!.path!).catch(() => null);
      const items: ImageSiblings['items'] = [];
      for (const item of list) {
        let fr = { ssim: null as number | null, psnr: null as number | null };
        if (refRgb && !item.error) {
          const rgb = await loadRgb(item.path).catch(() => null);
          if (rgb && rgb.width === refRgb.width && rgb.height === refRgb.height) fr = { ssim: ssim(refRgb, rgb), psnr: psnr(refRgb, rgb) };
        }
        items.push({ ...item, ...fr });
      }
      return { referenceId: ref?.id ?? null, referenceName: ref?.name ?? null, referenceShown: refShown, auxiliary, items };
    },
  };
}
