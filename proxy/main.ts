// `blockscope serve` and `blockscope demo`: parse the command line, start things, stop them cleanly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DEFAULT_LISTEN, parseServerArgs, type ServerConfig } from './config.ts';
import { startProxy } from './server.ts';

const HELP = `Usage: blockscope <command> [options]

Commands:
  serve     Serve the dashboard for running QEMU processes (in a checkout, after \`npm run build\`)
  demo      Start a demo QEMU with a realistic block graph and serve the dashboard for it
  help      Show this text

Options for serve and demo:
  --target NAME=unix:PATH      A QEMU QMP socket (repeatable). QEMU side:
  --target NAME=tcp:HOST:PORT    -qmp unix:/path/qmp.sock,server=on,wait=off
                                 (a Proxmox monitor, /run/qemu-server/VMID.qmp, is refused with
                                 the recipe for a second monitor; see README "Proxmox")
  --target NAME=ssh://[USER@]HOST[:PORT]/PATH
                               A QMP socket on another host, reached through OpenSSH (the
                                 operator's keys, agent, ~/.ssh/config and known_hosts; host
                                 keys checked, never a prompt); reconnects when the link drops
  --ssh-config FILE            ssh_config for the ssh:// targets (ssh -F FILE)
  --target-dir DIR             Every QMP socket in DIR is a target named after the file
                                 (vm1.qmp -> vm1), added when it appears and shown gone when it
                                 goes (repeatable)
  --libvirt URI                Every running guest of a libvirt connection is a target, added as
                                 it starts and marked gone when it stops (repeatable), e.g.
                                 qemu:///system or qemu+ssh://root@host/system (the operator's
                                 SSH keys and known_hosts, never a password prompt). Reached
                                 through libvirt's QMP passthrough (virt-qemu-qmp-proxy), which
                                 marks each watched guest tainted (custom-monitor). Targets are
                                 named DOMAIN for the first URI and DOMAIN@HOST for later ones
  --libvirt-allow-writes       Relay block operations to libvirt guests too; without it they are
                                 read-only and each refusal names the virsh command to use
                                 (libvirt does not see changes made behind it; see README "libvirt")
  --expose DIR[,role=viewer][,group=G]
                               A plain QMP socket DIR/NAME.qmp for every target (libvirt guests
                                 too, as they come and go), for qmp-shell, socat and scripts:
                                 the same connection, policy and audit log as the page. Mode
                                 0600, or 0660 with group G; operator unless role=viewer;
                                 repeatable. A file already at a socket's name is never deleted
                                 (see README "Sharing the monitor")
  --listen HOST:PORT           Where to serve (default ${DEFAULT_LISTEN})
  --token-file FILE            Operator token (generated, 256 bits, mode 0600, if missing;
                                 serve defaults to $XDG_CONFIG_HOME/blockscope/token)
  --viewer-token-file FILE     Viewer (read-only) token, generated the same way if missing
  --audit-log FILE             Append every mutating or refused command as a JSON line (0600)
  --allow-path DIR             Directory that file arguments may name (repeatable; none by
                                 default, so file-creating commands are refused)
  --allow-command NAME         Allow a command outside the block layer that is refused by
                                 default, e.g. human-monitor-command (repeatable, operators only)
  --allow-remote-nbd           Let NBD/vhost-user servers listen on non-loopback addresses
  --allow-host HOST[:PORT]     Accept this Host header too, e.g. behind a reverse proxy
  --tls-cert FILE --tls-key FILE
                               Serve HTTPS; required for a non-loopback --listen address
  --qmp-manual FILE            A QMP reference manual page (qemu-qmp-ref.7.gz or
                                 qemu-storage-daemon-qmp-ref.7.gz) for field documentation
                                 in forms, instead of the one installed with QEMU (repeatable:
                                 one per program; without it the installed manual is used,
                                 /usr/share/man/man7, or the one beside BLOCKSCOPE_QEMU_SYSTEM)
  --qapi-docs DIR              QEMU's qapi/*.json, for field documentation in forms; overrides
                                 the manuals for every target
  -h, --help                   Show this text
`;

/** Where the entry point found the package's files (bin/blockscope passes them). */
export interface MainOptions {
  /** The built page (dist/ of the package). */
  distDir: string;
}

async function runServer(
  dist: string,
  config: ServerConfig,
  tokenStore: 'default-file' | 'ephemeral',
  onStop: () => Promise<void>,
  ephemeralViewer = false,
): Promise<number> {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new ConfigError('the dashboard is not built; run `npm run build` first');
  }
  const proxy = await startProxy(config, { distDir: dist, tokenStore, ephemeralViewer });
  process.stdout.write(`Blockscope: ${proxy.url}\n`);
  if (proxy.viewerUrl) process.stdout.write(`Blockscope, read-only viewer: ${proxy.viewerUrl}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await proxy.stop();
      await onStop();
      resolve(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}

export async function main(argv: string[], options: MainOptions): Promise<number> {
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
      return await runServer(options.distDir, config, 'default-file', async () => {});
    }
    if (command === 'demo') {
      const config = parseServerArgs(rest, { requireTargets: false });
      // Loaded only here: `serve` has no use for the demo's QEMU launcher.
      const { startDemoVm } = await import('./demo-vm.ts');
      const vm = await startDemoVm();
      config.targets.unshift({ name: 'demo', address: { type: 'unix', path: vm.qmpSocket } });
      // The demo's images live in its temporary directory; new targets may be created there.
      config.allowPaths.push(vm.dir);
      try {
        return await runServer(options.distDir, config, 'ephemeral', () => vm.stop(), true);
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
