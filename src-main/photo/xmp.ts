// XMP sidecars: the public face of the model, parser, merger and sidecar-file modules (see each for its concern).
export * from './xmp-model';
export { parseXmp } from './xmp-parse';
export { mergeXmp } from './xmp-merge';
export { findSidecar, readSidecar, sidecarPath, STALE_TEMP_MS, writeSidecar } from './xmp-sidecar-files';
