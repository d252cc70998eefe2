// Opens a URL in the user's browser when one can be found; never blocks or fails the caller.
import { spawn } from 'node:child_process';
import { log } from '../app/logger';

function opener(): string[] | null {
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return ['xdg-open'];
  return null;
}

export function openInBrowser(url: string): boolean {
  const cmd = opener();
  if (!cmd) {
    log.info('open', 'No desktop session found; open the URL above in a browser.');
    return false;
  }
  const child = spawn(cmd[0]!, [...cmd.slice(1), url], { stdio: 'ignore', detached: true });
  child.on('error', () => log.info('open', 'Could not open a browser; open the URL above yourself.'));
  child.unref();
  return true;
}
