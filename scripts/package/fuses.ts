// Electron fuses for a packaged build: `npm run fuses -- <path to the packaged app's Electron executable or .app>`, or electron-builder's afterPack hook (export below).
import { flipFuses, FuseV1Options, FuseVersion, type FuseConfig } from '@electron/fuses';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every fuse set explicitly (strictlyRequireAllFuses), so a new Electron fuse fails the build until decided here:
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the app into a plain Node (the back end is a utilityProcess);
 * - NODE_OPTIONS and --inspect off: no code or debugger attached from the environment or the command line;
 * - cookies encrypted at rest; the app loads only from its app.asar, whose integrity is checked where Electron
 *   supports it (macOS, Windows); file:// gets no extra privileges (the bundle is served from app://).
 */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  [FuseV1Options.WasmTrapHandlers]: true,
} satisfies FuseConfig;

/** Writes FUSES into the Electron binary (or macOS bundle) at `electronPath`; resigns ad hoc on macOS. */
export async function applyFuses(electronPath: string): Promise<void> {
  await flipFuses(electronPath, { ...FUSES, resetAdHocDarwinSignature: process.platform === 'darwin' });
}

/** electron-builder `afterPack`: the packed executable is <appOutDir>/<productFilename>[.exe|.app]. */
export async function afterPack(context: { appOutDir: string; electronPlatformName: string; packager: { appInfo: { productFilename: string } } }): Promise<void> {
  const name = context.packager.appInfo.productFilename;
  const ext = context.electronPlatformName === 'win32' ? '.exe' : context.electronPlatformName === 'darwin' ? '.app' : '';
  await applyFuses(join(context.appOutDir, `${name}${ext}`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: npm run fuses -- <path to the packaged Electron executable or .app>');
    process.exit(2);
  }
  await applyFuses(target);
  console.log(`fuses set in ${target}`);
}
