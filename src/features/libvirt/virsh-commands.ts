// libvirt's way to do each operation, as command lines an operator copies into a shell on the
// libvirt host: on a guest that libvirt manages, Blockscope watches and libvirt acts, so libvirt's
// record of disks, chains and jobs stays right. Every value from the guest (paths come from disk
// images) is quoted for a POSIX shell. React-free.
import type { OperationKind } from '../block-graph/operation-entry.ts';
import type { LibvirtDisk } from '../../api/session.ts';

/** One thing to run: an optional file to write first (an XML document), then the command. */
export interface VirshStep {
  /** What the step does, in a sentence. */
  says: string;
  /** The shell text to copy. */
  text: string;
}

export interface VirshPlan {
  title: string;
  steps: VirshStep[];
  /** What to know before running it. */
  notes: string[];
}

export interface VirshContext {
  uri: string;
  domain: string;
  disk: LibvirtDisk;
  /** Every disk of the guest (a snapshot leaves the others alone). */
  disks: LibvirtDisk[];
  /** For commit: the image the operation was opened on, when it is not the active one. */
  image?: string;
}

/** Quotes a word for a POSIX shell, unless it needs no quoting. */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `virsh -c URI ARGS…`, every argument quoted as needed. */
export function virshLine(uri: string, args: string[]): string {
  return ['virsh', '-c', uri, ...args].map(shellWord).join(' ');
}

/** XML text for a file: attribute values escaped (paths are untrusted text). */
function xmlAttr(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll("'", '&apos;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/** A here-document writing `body` to `file`; the quoted delimiter keeps the shell off the body. */
function writeFileStep(says: string, file: string, body: string[]): VirshStep {
  return { says, text: [`cat > ${shellWord(file)} <<'EOF'`, ...body, 'EOF'].join('\n') };
}

/** A sibling of the disk's source: /dir/top.qcow2 → /dir/top-SUFFIX.qcow2. */
export function beside(source: string, suffix: string, ext = '.qcow2'): string {
  const slash = source.lastIndexOf('/');
  const dir = slash >= 0 ? source.slice(0, slash + 1) : '';
  const base = (slash >= 0 ? source.slice(slash + 1) : source).replace(/\.[^.]*$/, '');
  return `${dir}${base || 'disk'}-${suffix}${ext}`;
}

export function virshPlan(kind: OperationKind, ctx: VirshContext): VirshPlan {
  const { uri, domain, disk } = ctx;
  const v = (...args: string[]) => virshLine(uri, args);
  const target = disk.target;
  switch (kind) {
    case 'mirror': {
      const dest = beside(disk.source, 'copy');
      return {
        title: `Copy ${target} with virsh blockcopy`,
        steps: [
          {
            says: `Copy ${target} into a new image and keep it in sync until you decide.`,
            text: v(
              'blockcopy',
              domain,
              target,
              dest,
              '--format',
              'qcow2',
              '--transient-job',
              '--verbose',
              '--wait',
            ),
          },
          {
            says: 'Then switch the guest over to the copy (or end with --abort to keep the original).',
            text: v('blockjob', domain, target, '--pivot'),
          },
        ],
        notes: [
          `${dest} is a suggestion: edit it. libvirt creates it; it must not exist.`,
          'Add --shallow to copy only the active image, --bandwidth MiB/s to limit the rate.',
        ],
      };
    }
    case 'backup': {
      const file = beside(disk.source, 'backup');
      const xml = `${domain}-${target}-backup.xml`;
      return {
        title: `Back up ${target} with virsh backup-begin`,
        steps: [
          writeFileStep(`Describe a push backup of ${target} alone.`, xml, [
            '<domainbackup>',
            '  <disks>',
            `    <disk name='${xmlAttr(target)}' type='file'>`,
            `      <target file='${xmlAttr(file)}'/>`,
            "      <driver type='qcow2'/>",
            '    </disk>',
            '  </disks>',
            '</domainbackup>',
          ]),
          {
            says: 'Start it; libvirt reports the job in the Jobs panel.',
            text: v('backup-begin', domain, xml),
          },
        ],
        notes: [
          'Disks not listed in the XML are not backed up.',
          `For a consistent guest filesystem, freeze it first (${v('domfsfreeze', domain)}, needs the guest agent) and thaw it (${v('domfsthaw', domain)}) once the job has started.`,
        ],
      };
    }
    case 'commit': {
      const active = ctx.image === undefined;
      return {
        title: active
          ? `Commit ${target}'s active image with virsh blockcommit`
          : `Commit an image of ${target}`,
        steps: active
          ? [
              {
                says: `Merge ${target}'s active image into the one below it and switch the guest over.`,
                text: v(
                  'blockcommit',
                  domain,
                  target,
                  '--active',
                  '--verbose',
                  '--wait',
                  '--pivot',
                ),
              },
              {
                says: 'Or pull the images below into the active one instead (virsh blockpull).',
                text: v('blockpull', domain, target, '--verbose', '--wait'),
              },
            ]
          : [
              {
                says: 'Merge this image into the one below it.',
                text: v('blockcommit', domain, target, '--top', ctx.image!, '--verbose', '--wait'),
              },
            ],
        notes: ['Add --bandwidth MiB/s to limit the rate.'],
      };
    }
    case 'stream':
      return {
        title: `Stream into ${target}'s active image with virsh blockpull`,
        steps: [
          {
            says: `Copy the images below ${target}'s active image up into it; the guest keeps running on it.`,
            text: v('blockpull', domain, target, '--verbose', '--wait'),
          },
        ],
        notes: [
          'Add --bandwidth MiB/s to limit the rate; --base IMAGE to keep the images below it.',
        ],
      };
    case 'export': {
      const xml = `${domain}-${target}-export.xml`;
      return {
        title: `Export ${target} over NBD with a pull-mode backup`,
        steps: [
          writeFileStep(`Describe a pull backup that serves ${target} over NBD.`, xml, [
            "<domainbackup mode='pull'>",
            "  <server name='localhost' port='10809'/>",
            '  <disks>',
            `    <disk name='${xmlAttr(target)}' backup='yes' type='file'>`,
            `      <scratch file='${xmlAttr(beside(disk.source, 'scratch'))}'/>`,
            '    </disk>',
            '  </disks>',
            '</domainbackup>',
          ]),
          {
            says: 'Start serving a point-in-time view of the disk.',
            text: v('backup-begin', domain, xml),
          },
          { says: 'Stop serving when the reader is done.', text: v('domjobabort', domain) },
        ],
        notes: [
          `Readers on the libvirt host connect to nbd://localhost:10809/${target}.`,
          'To serve other hosts, name an address of this one instead of localhost: the NBD server has no authentication unless you add TLS (tls=yes).',
        ],
      };
    }
    case 'throttle':
      return {
        title: `Limit ${target} with virsh blkdeviotune`,
        steps: [
          {
            says: `Limit ${target} to 10 MiB/s in total (edit the figure; 0 removes a limit).`,
            text: v('blkdeviotune', domain, target, '--total-bytes-sec', '10485760', '--live'),
          },
          { says: 'See the limits libvirt set.', text: v('blkdeviotune', domain, target) },
        ],
        notes: [
          'Other limits: --read-bytes-sec, --write-bytes-sec, --total-iops-sec, --group-name.',
        ],
      };
    case 'snapshot': {
      const others = ctx.disks
        .filter((d) => d.target !== target && d.device === 'disk')
        .flatMap((d) => ['--diskspec', `${d.target},snapshot=no`]);
      return {
        title: `Snapshot ${target} with virsh snapshot-create-as`,
        steps: [
          {
            says: `Put a new overlay on ${target}; the guest writes to it from now on.`,
            text: v(
              'snapshot-create-as',
              domain,
              '--disk-only',
              '--atomic',
              '--diskspec',
              `${target},file=${beside(disk.source, 'snap')}`,
              ...others,
            ),
          },
        ],
        notes: [
          'libvirt keeps the snapshot in its metadata (virsh snapshot-list); --no-metadata does not.',
        ],
      };
    }
  }
}
