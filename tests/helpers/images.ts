// Small real image files for tests: solid or patterned PNG/JPEG written with sharp.
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export async function writeTestImage(file: string, width = 8, height = 8, seed = 1): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 97) % 256;
  const img = sharp(data, { raw: { width, height, channels: 3 } });
  await (file.endsWith('.jpg') || file.endsWith('.jpeg') ? img.jpeg() : img.png()).toFile(file);
}
