// --libvirt URI: which connections are accepted, and how their guests are named as targets.
//
// Naming rule: the guests of the first --libvirt URI are targets named after the domain (`web1`);
// the guests of every later URI are `DOMAIN@HOST` (`web1@db-host`), HOST being the URI's host name
// (`localhost` for a local URI). A guest whose plain name is already a --target is `DOMAIN@HOST`
// too. So a name never changes while the server runs, whichever guest starts first.
import { ConfigError } from '../config.ts';

/** QEMU's driver, locally or through one of libvirt's transports. */
const QEMU_URI = /^qemu(\+(ssh|libssh|libssh2|tcp|tls|unix|ext))?:\/\/[^\s]*$/;

export interface LibvirtConnection {
  /** As the operator gave it (shown in the API and the page). */
  uri: string;
  /** What virsh and the passthrough are given: an ssh transport never prompts (no_tty=1). */
  clientUri: string;
  /** The host part of `DOMAIN@HOST` names. */
  label: string;
  /** The first URI: its guests are named after the domain alone. */
  plain: boolean;
}

function hostLabel(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigError(`--libvirt ${uri}: not a URI`);
  }
  return url.hostname.replace(/^\[|\]$/g, '') || 'localhost';
}

/** With an SSH transport, libvirt runs `ssh -o BatchMode=yes` when no_tty=1: keys only. */
function clientUriOf(uri: string): string {
  if (!/^qemu\+(ssh|libssh|libssh2):/.test(uri) || /[?&]no_tty=/.test(uri)) return uri;
  return `${uri}${uri.includes('?') ? '&' : '?'}no_tty=1`;
}

export function parseLibvirtUris(uris: string[]): LibvirtConnection[] {
  const seen = new Map<string, string>();
  return uris.map((uri, index) => {
    if (!QEMU_URI.test(uri)) {
      throw new ConfigError(
        `--libvirt ${uri}: expected a URI of libvirt's QEMU driver, e.g. qemu:///system or qemu+ssh://root@host/system`,
      );
    }
    const label = hostLabel(uri);
    if (index > 0) {
      const other = seen.get(label);
      if (other !== undefined) {
        throw new ConfigError(
          `--libvirt ${uri}: its guests would be named DOMAIN@${label} like those of ${other}; ` +
            `give each host once (list qemu:///session-style URIs of one host first)`,
        );
      }
      seen.set(label, uri);
    }
    if (uris.indexOf(uri) !== index) throw new ConfigError(`--libvirt ${uri}: given twice`);
    return { uri, clientUri: clientUriOf(uri), label, plain: index === 0 };
  });
}

const DOMAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+:-]{0,63}$/;

/**
 * The target name of a guest, or null when its name cannot be one (spaces, slashes, other
 * characters a URL path and a log line should not carry; such guests are reported and skipped).
 * `isTarget` says whether --target already uses a name.
 */
export function targetNameOf(
  connection: LibvirtConnection,
  domain: string,
  isTarget: (name: string) => boolean,
): string | null {
  if (!DOMAIN_NAME.test(domain)) return null;
  if (connection.plain && !isTarget(domain)) return domain;
  return `${domain}@${connection.label}`;
}
