// What every string member an operator may send means, by `context member` (see schema-walk.ts):
// a file QEMU opens or creates, a file name QEMU writes into an image header (and opens later,
// relative to that image), or not a file at all, with the reason. A `*` context matches any.
// test/integration/file-members-schema.test.ts walks the live schema of every QEMU the tests run
// and fails on a reachable string member that is in neither table, so a file-naming member added by
// a newer QEMU is refused until someone classifies it.

export type FileMemberKind = 'path' | 'header-name';

/** Members whose value is a file name. */
export const FILE_MEMBERS: ReadonlyMap<string, FileMemberKind> = new Map([
  ['* filename', 'path'], // file, host_device, host_cdrom; blockdev-change-medium
  ['drive-mirror target', 'path'],
  ['drive-backup target', 'path'],
  ['type=drive-backup target', 'path'], // transaction action
  ['* snapshot-file', 'path'],
  ['type=unix path', 'path'], // SocketAddress: a socket QEMU listens on or connects to
  ['type=fuse mountpoint', 'path'],
  ['driver=blkdebug config', 'path'],
  // qcow/qcow2/qed/vmdk blockdev-create; block-commit, block-stream and change-backing-file write
  // it into the overlay's header (qapi/block-core.json), where a later open follows it.
  ['* backing-file', 'header-name'],
]);

const NODE = 'a node name (or an inline tree, walked on its own), never a file name';
const BITMAP = 'a dirty bitmap name';
const OBJECT = 'the id of a QOM object (secret, throttle group, iothread, TLS credentials)';
const ID = 'an id QEMU keeps in memory (job, device, export, snapshot)';
const TEXT = 'text QEMU stores or reports, not a name it opens';

/** Members that are not file names, and why. */
export const NOT_FILE_MEMBERS: ReadonlyMap<string, string> = new Map([
  ...[
    'backing',
    'base-node',
    'bottom',
    'child',
    'children',
    'data-file',
    'file',
    'header',
    'image',
    'log',
    'raw',
    'test',
    'top-node',
    'node',
    'node-name',
    'overlay',
    'parent',
    'replaces',
    'snapshot-node-name',
    'image-node-name',
    'filter-node-name',
    'extents',
    'top-id',
  ].map((m): [string, string] => [`* ${m}`, NODE]),
  ['* device', 'a block backend or node name'],
  ['blockdev-mirror target', NODE],
  ['blockdev-backup target', NODE],
  ['type=blockdev-backup target', NODE],
  ['driver=copy-before-write target', NODE],
  [
    '* base',
    'block-commit/block-stream: matched against the file names of the open chain, never opened',
  ],
  ['* top', 'block-commit: matched against the file names of the open chain, never opened'],
  ['* bitmap', BITMAP],
  ['* bitmaps', BITMAP],
  ['* x-dirty-bitmap', BITMAP],
  ['block-dirty-bitmap-merge target', BITMAP],
  ['type=block-dirty-bitmap-merge target', BITMAP],
  ['* name', 'a bitmap, internal snapshot, export or copy-before-write name'],
  ...[
    'group',
    'throttle-group',
    'iothread',
    'key-secret',
    'secret',
    'new-secret',
    'old-secret',
    'tls-creds',
    'tls-authz',
    'pr-manager',
  ].map((m): [string, string] => [`* ${m}`, OBJECT]),
  ...['id', 'job-id'].map((m): [string, string] => [`* ${m}`, ID]),
  ['* format', 'a block driver name; opens by file name are checked with it (image-checks.ts)'],
  ...['export', 'description', 'serial', 'tls-hostname', 'hwversion', 'toolsversion'].map(
    (m): [string, string] => [`* ${m}`, TEXT],
  ),
  ['type=inet host', 'a network address, checked by the listen-address rule'],
  ['type=inet port', 'a network port, checked with its host'],
  ['type=vsock cid', 'a vsock address, refused by the listen-address rule'],
  ['type=vsock port', 'a vsock port, refused with its cid'],
  ['type=fd str', 'a monitor file descriptor name, refused by the listen-address rule'],
  ['qom-set path', 'a QOM path, not a file path'],
  ['qom-set property', 'a QOM property name, limited to throttle limits and drive'],
  ['qom-set value', 'throttle limits (numbers) or a drive node name, as the property allows'],
]);

export type MemberMeaning = FileMemberKind | 'not-a-file' | 'unclassified';

/** What `member` means in `context`; an exact context wins over `*`. */
export function memberMeaning(context: string, member: string): MemberMeaning {
  for (const key of [`${context} ${member}`, `* ${member}`]) {
    const kind = FILE_MEMBERS.get(key);
    if (kind) return kind;
    if (NOT_FILE_MEMBERS.has(key)) return 'not-a-file';
  }
  return 'unclassified';
}
