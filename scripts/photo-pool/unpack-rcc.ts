// Unpacks a Qt resource bundle (.rcc, format versions 1-3) into a folder: the photo pool's images ship inside them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { inflateSync } from 'node:zlib';

const DIRECTORY = 0x02;
const ZLIB = 0x01;

/** Writes every file of the bundle under `outDir`, keeping its resource path; returns the paths written. */
export function unpackRcc(bundle: Buffer, outDir: string): string[] {
  if (bundle.toString('latin1', 0, 4) !== 'qres') throw new Error('not a Qt resource bundle (no "qres" magic)');
  const version = bundle.readUInt32BE(4);
  const tree = bundle.readUInt32BE(8);
  const data = bundle.readUInt32BE(12);
  const names = bundle.readUInt32BE(16);
  const nodeSize = version === 1 ? 14 : 22;
  const written: string[] = [];

  const nameAt = (offset: number): string => {
    const at = names + offset;
    const length = bundle.readUInt16BE(at);
    const chars: number[] = [];
    for (let i = 0; i < length; i++) chars.push(bundle.readUInt16BE(at + 6 + 2 * i));
    return String.fromCharCode(...chars);
  };

  const visit = (node: number, prefix: string): void => {
    const at = tree + node * nodeSize;
    const flags = bundle.readUInt16BE(at + 4);
    const path = node === 0 ? prefix : join(prefix, nameAt(bundle.readUInt32BE(at)));
    if (flags & DIRECTORY) {
      const count = bundle.readUInt32BE(at + 6);
      const first = bundle.readUInt32BE(at + 10);
      for (let k = 0; k < count; k++) visit(first + k, path);
      return;
    }
    const blobAt = data + bundle.readUInt32BE(at + 10);
    const size = bundle.readUInt32BE(blobAt);
    let blob = bundle.subarray(blobAt + 4, blobAt + 4 + size);
    // zlib payloads carry Qt's 4-byte uncompressed-length prefix before the stream.
    if (flags & ZLIB) blob = inflateSync(blob.subarray(4));
    const target = normalize(join(outDir, path));
    if (!target.startsWith(normalize(outDir))) throw new Error(`resource path escapes the output folder: ${path}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, blob);
    written.push(target);
  };

  visit(0, '');
  return written;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [outDir, ...bundles] = process.argv.slice(2);
  if (!outDir || bundles.length === 0) {
    console.error('usage: unpack-rcc.ts OUT_DIR BUNDLE.rcc...');
    process.exit(2);
  }
  for (const file of bundles) {
    const name = file.replace(/^.*\//, '').replace(/\.rcc$/, '');
    const n = unpackRcc(readFileSync(file), join(outDir, name)).length;
    console.log(`${file}: ${n} files`);
  }
}
