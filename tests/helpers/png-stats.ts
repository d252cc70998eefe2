// Checks that a screenshot shows something: decodes the PNG with sharp and measures how much its pixels vary.
import sharp from 'sharp';

export async function pngStats(png: Buffer): Promise<{ width: number; height: number; stdev: number; distinctColours: number }> {
  const img = sharp(png);
  const stats = await img.stats();
  const { data } = await sharp(png).resize(200, 200, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 3) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  const meta = await sharp(png).metadata();
  const stdev = stats.channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0) / 3;
  return { width: meta.width!, height: meta.height!, stdev, distinctColours: colours.size };
}
