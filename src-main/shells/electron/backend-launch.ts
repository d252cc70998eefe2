// How the Electron main process starts its back end: with Electron's own Node (utilityProcess) and an allow-listed environment; free of electron imports so tests can check it.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/**
 * The only environment the back end gets: where the user's folders are, locale and time zone, our own IQA_* settings,
 * and what the optional CUDA backend needs. NODE_OPTIONS, NODE_PATH, ELECTRON_* and everything else stay behind, so
 * a variable set in the desktop session cannot load code into the back end.
 */
export const BACKEND_ENV_ALLOW = [
  'HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR',
  'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_NUMERIC', 'TZ', 'PATH', 'SYSTEMROOT', 'WINDIR',
  'IQA_DATA_DIR', 'IQA_BACKEND', 'IQA_LOG_LEVEL', 'CUDA_VISIBLE_DEVICES', 'LD_LIBRARY_PATH',
] as const;

export function backendEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of BACKEND_ENV_ALLOW) {
    const v = env[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

export type BackendLaunch =
  | { mode: 'utility'; modulePath: string; options: { serviceName: string; env: Record<string, string>; execArgv: string[]; stdio: 'inherit' } }
  | { mode: 'node'; modulePath: string; execPath: string; env: Record<string, string> };

/**
 * A packaged app always runs the back end in a utilityProcess (Electron's Node; native modules rebuilt for its ABI,
 * see README). A development checkout, whose node_modules are built for Node, may name a Node binary by absolute
 * path in IQA_BACKEND_NODE (`iqa start` passes its own); `node` is never looked up on PATH.
 */
export function backendLaunch(opts: { isPackaged: boolean; env: NodeJS.ProcessEnv; modulePath: string }): BackendLaunch {
  const env = backendEnv(opts.env);
  const node = opts.env.IQA_BACKEND_NODE;
  if (!opts.isPackaged && node && isAbsolute(node) && existsSync(node)) {
    return { mode: 'node', modulePath: opts.modulePath, execPath: node, env };
  }
  return { mode: 'utility', modulePath: opts.modulePath, options: { serviceName: 'IQA Workbench back end', env, execArgv: [], stdio: 'inherit' } };
}

/** The environment `iqa start` gives the Electron binary: no NODE_OPTIONS or ELECTRON_RUN_AS_NODE, and its own Node for the back end. */
export function electronLaunchEnv(env: NodeJS.ProcessEnv, nodeExecPath: string, dataDir?: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, IQA_BACKEND_NODE: nodeExecPath, ...(dataDir ? { IQA_DATA_DIR: dataDir } : {}) };
  for (const key of Object.keys(out)) if (key === 'NODE_OPTIONS' || key === 'NODE_PATH' || key.startsWith('ELECTRON_')) delete out[key];
  return out;
}
