// The `iqa` command line: the same services as the app, headless.
import { Command, InvalidArgumentError, Option } from 'commander';
import { appVersion } from '../app/version';
import { BACKEND_CHOICES } from '../iqa/backend';
import { infoCommand } from './info.command';
import { serveCommand, type ServeFlags } from './serve.command';
import { startCommand } from './start.command';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0-65535');
  return n;
}

const dataDirOption = () =>
  new Option('--data-dir <dir>', 'folder for the database and caches (default: IQA_DATA_DIR or the per-user data folder)');
const backendOption = () =>
  new Option('--backend <name>', 'tensor backend').choices(BACKEND_CHOICES).default('auto');

export function buildProgram(): Command {
  const program = new Command('iqa')
    .description('No-reference image quality assessment workbench')
    .version(appVersion())
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the workbench over HTTP + WebSocket (127.0.0.1 unless --host; off loopback a token is required)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 7878)
    .option('--token <token>', 'access token to require (default: generated when --host is not loopback)')
    .option('--open', 'open the URL in a browser', false)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(async (flags: ServeFlags) => {
      await serveCommand(flags);
    });

  program
    .command('info')
    .description('print versions, the tensor backend and the database path')
    .option('--json', 'print JSON', false)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(infoCommand);

  program
    .command('start')
    .description('launch the desktop app, or serve mode in a browser when Electron is not installed')
    .option('--port <port>', 'port for serve mode', parsePort, 7878)
    .addOption(dataDirOption())
    .addOption(backendOption())
    .action(startCommand);

  return program;
}

await buildProgram().parseAsync(process.argv).catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`iqa: ${msg}\n`);
  process.exitCode = 1;
});
