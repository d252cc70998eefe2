// `iqa serve`: the serve shell over the runtime, until interrupted.
import { rendererDistDir } from '../app/paths';
import { log } from '../app/logger';
import type { BackendChoice } from '../iqa/backend';
import { openRuntime } from '../runtime';
import { isLoopbackBind } from '../shells/serve/security';
import { startServer, type RunningServer } from '../shells/serve/server';
import { resolve } from 'node:path';
import { openInBrowser } from './open-browser';

export interface ServeFlags {
  host: string;
  port: number;
  token?: string;
  open: boolean;
  allowRoot?: string[];
  allowHost?: string[];
  dataDir?: string;
  backend: BackendChoice;
}

export async function serveCommand(flags: ServeFlags): Promise<RunningServer> {
  // On loopback the user is on their own machine and may import from anywhere; off loopback only from --allow-root.
  const importRoots = flags.allowRoot?.map((r) => resolve(r)) ?? (isLoopbackBind(flags.host) ? null : []);
  const rt = await openRuntime({ dataDir: flags.dataDir, shell: 'serve', backend: flags.backend, importRoots, demoDistortions: true });
  const server = await startServer({
    invoke: rt.invoke,
    events: rt.services.events,
    files: rt.services.files,
    isRaterToken: rt.services.isRaterToken,
    staticDir: rendererDistDir(),
    host: flags.host,
    port: flags.port,
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.allowHost ? { allowHosts: flags.allowHost } : {}),
  });
  process.stdout.write(`IQA workbench serving at ${server.openUrl}\n`);
  if (server.token) {
    process.stdout.write(`Admin URL (the organiser's; keep it private, it carries the access token): ${server.openUrl}\n`);
    process.stdout.write('Raters get their own links: add each rater in Studies (or share the study link) and send them that link, never the admin URL.\n');
  }
  log.info('serve', `database ${rt.ctx.store.file}`);
  if (flags.open) openInBrowser(server.openUrl);
  const shutdown = () => {
    void server.close().then(() => {
      rt.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return server;
}
