// Training and test patches from labelled images: decoded once into a bounded cache, cropped per the model's protocol.
import { cutPatches, decodeForModel, randomCrops, uniformGrid, type RgbBuffer } from '../../imaging/patches';
import type { InputProtocol } from '../models/model';

export interface Sample {
  imageId: number;
  path: string;
  /** Label in the model's normalised space (0 worst, 1 best). */
  target: number;
  /** Distortion type, for per-type metrics. */
  group?: string | null;
  /** The pristine reference image, where the dataset has one (HIQA trains its generator on it). */
  reference?: string | null;
}

/** One training crop of one sample at a fixed position of its (possibly resized) image, optionally mirrored. */
export interface CropEntry {
  sample: Sample;
  x: number;
  y: number;
  flip: boolean;
}

export interface PatchBatch {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

const DEFAULT_CACHE_BYTES = 768 * 2 ** 20;

export class PatchSource {
  readonly #protocol: InputProtocol;
  readonly #cache = new Map<string, RgbBuffer>();
  readonly #limit: number;
  #bytes = 0;

  constructor(protocol: InputProtocol, cacheBytes = DEFAULT_CACHE_BYTES) {
    this.#protocol = protocol;
    this.#limit = cacheBytes;
  }

  async #image(path: string): Promise<RgbBuffer> {
    const hit = this.#cache.get(path);
    if (hit) {
      this.#cache.delete(path);
      this.#cache.set(path, hit);
      return hit;
    }
    const rgb = await decodeForModel(path, this.#protocol.resize);
    if (rgb.width < this.#protocol.patch || rgb.height < this.#protocol.patch) {
      throw new Error(`${path} is ${rgb.width}x${rgb.height}, smaller than the ${this.#protocol.patch}px patch`);
    }
    this.#cache.set(path, rgb);
    this.#bytes += rgb.data.length;
    for (const [key, value] of this.#cache) {
      if (this.#bytes <= this.#limit) break;
      this.#cache.delete(key);
      this.#bytes -= value.data.length;
    }
    return rgb;
  }

  /** `trainCrops` random crops (and flips) of each sample, each crop labelled with its image's target. */
  async trainBatch(samples: readonly Sample[], random: () => number): Promise<PatchBatch> {
    const { patch, trainCrops, flip, imagenet } = this.#protocol;
    const count = samples.length * trainCrops;
    const x = new Float32Array(count * patch * patch * 3);
    const y = new Float32Array(count);
    for (const [i, s] of samples.entries()) {
      const img = await this.#image(s.path);
      const positions = randomCrops(img.width, img.height, patch, trainCrops, random);
      const flips = positions.map(() => flip && random() < 0.5);
      cutPatches(img, positions, patch, { imagenet, flip: (k) => flips[k]! }, x, i * trainCrops);
      y.fill(s.target, i * trainCrops, (i + 1) * trainCrops);
    }
    return { x, y, count };
  }

  /** Width and height of a sample's image as the model sees it (after the protocol's resize). */
  async imageSize(path: string): Promise<{ width: number; height: number }> {
    const img = await this.#image(path);
    return { width: img.width, height: img.height };
  }

  /** Exactly the given crops, in the given order (crop-level batches, as the official HyperIQA loader makes them). */
  async cropBatch(crops: readonly CropEntry[]): Promise<PatchBatch> {
    const { patch, imagenet } = this.#protocol;
    const x = new Float32Array(crops.length * patch * patch * 3);
    const y = new Float32Array(crops.length);
    for (const [i, c] of crops.entries()) {
      cutPatches(await this.#image(c.sample.path), [{ x: c.x, y: c.y }], patch, { imagenet, flip: () => c.flip }, x, i);
      y[i] = c.sample.target;
    }
    return { x, y, count: crops.length };
  }

  /** The deterministic test crops of one image (uniform grid). */
  async testPatches(path: string): Promise<{ x: Float32Array; count: number }> {
    const { patch, testCrops, imagenet } = this.#protocol;
    const img = await this.#image(path);
    const positions = uniformGrid(img.width, img.height, patch, testCrops);
    return { x: cutPatches(img, positions, patch, { imagenet }), count: positions.length };
  }
}
