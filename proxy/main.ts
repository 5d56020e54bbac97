// `blockscope serve` and `blockscope demo`: parse the command line, start things, stop them cleanly.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DEFAULT_LISTEN, parseServerArgs, type ServerConfig } from './config.ts';
import { startDemoVm } from './demo-vm.ts';
import { createHttpServer, listen } from './http-server.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: blockscope <command> [options]

Commands:
  serve     Serve the dashboard for running QEMU processes (after \`npm run build\`)
  demo      Start a demo QEMU with a realistic block graph and serve the dashboard for it
  help      Show this text

Options for serve and demo:
  --target NAME=unix:PATH      A QEMU QMP socket (repeatable). QEMU side:
  --target NAME=tcp:HOST:PORT    -qmp unix:/path/qmp.sock,server=on,wait=off
  --listen HOST:PORT           Where to serve (default ${DEFAULT_LISTEN})
  --token-file FILE            Operator token (generated, 256 bits, mode 0600, if missing)
  --viewer-token-file FILE     Viewer (read-only) token
  --audit-log FILE             Append every mutating or refused command as a JSON line
  --allow-path DIR             Directory that file arguments may name (repeatable)
  --qapi-docs DIR              QEMU's qapi/*.json, for field documentation in forms
  -h, --help                   Show this text
`;

function distDir(): string {
  return join(root, 'dist');
}

async function runServer(config: ServerConfig, onStop: () => Promise<void>): Promise<number> {
  const dist = distDir();
  if (!existsSync(join(dist, 'index.html'))) {
    throw new ConfigError('the dashboard is not built; run `npm run build` first');
  }
  const server = createHttpServer({ config, distDir: dist });
  const bound = await listen(server, config.listen.host, config.listen.port);
  const token = randomBytes(32).toString('base64url');
  const host = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  process.stdout.write(`Blockscope: http://${host}:${bound.port}/#token=${token}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      server.closeAllConnections();
      server.close();
      await onStop();
      resolve(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (
    !command ||
    command === 'help' ||
    command === '--help' ||
    command === '-h' ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  try {
    if (command === 'serve') {
      const config = parseServerArgs(rest, { requireTargets: true });
      return await runServer(config, async () => {});
    }
    if (command === 'demo') {
      const config = parseServerArgs(rest, { requireTargets: false });
      const vm = await startDemoVm();
      config.targets.unshift({ name: 'demo', address: { type: 'unix', path: vm.qmpSocket } });
      try {
        return await runServer(config, () => vm.stop());
      } catch (error) {
        await vm.stop();
        throw error;
      }
    }
    throw new ConfigError(`unknown command '${command}'; see blockscope --help`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`blockscope: ${message}\n`);
    return 1;
  }
}
