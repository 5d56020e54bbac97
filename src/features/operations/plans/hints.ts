// What to do about QEMU's error messages (verbatim texts from qmp-domain.md §5, §6). QEMU's
// message is always shown as is; the hint is the operator's next step.
const HINTS: [RegExp, string][] = [
  [
    /Need a root block node/,
    'Start the job from the topmost node of this disk (the filter or layer above the one you picked).',
  ],
  [
    /Failed to get (shared )?"write" lock/,
    'Another user holds this image open for writing (maybe another process, or a node in this QEMU). Choose another file, or close what holds it.',
  ],
  [/Job ID '.*' already in use/, 'Choose another job id, or dismiss the finished job that has it.'],
  [/Invalid job ID/, "Job ids start with a letter and use only letters, digits, '-', '.' and '_'."],
  [
    /Invalid node-name|Node name too long/,
    "Node names start with a letter, use letters, digits, '-', '.', '_' and have at most 31 characters.",
  ],
  [/Duplicate nodes with node-name/, 'A node with that name exists already; choose another name.'],
  [
    /is in use|still in use/,
    'Something still uses it: remove the export, finish the job, or detach the device first.',
  ],
  [/not owned by the monitor/, 'QEMU created this node implicitly; delete its parent instead.'],
  [
    /Enabled bitmap .* incompatible with readonly export/,
    'Export a disabled copy of the bitmap (Blockscope does this for you), or make the export writable.',
  ],
  [
    /NBD server already running/,
    'An NBD server started outside Blockscope is running at an address Blockscope does not know. Stop it from the Exports panel (its exports go too), then export again.',
  ],
  [/NBD server not running/, 'Start the NBD server first: exporting a node starts it for you.'],
  [/Address already in use/, 'Another program listens on that port; pick a free one.'],
  [/Block export id .* already in use/, 'Choose another export id.'],
  [
    /No such file or directory/,
    'Check the path: the directory must exist on the machine QEMU runs on.',
  ],
  [/Permission denied/, 'QEMU may not write there; choose a directory the QEMU process can write.'],
  [
    /not in this backing file chain/,
    'Pick top and base from the same chain, with the base below the top.',
  ],
  [/Source and target cannot be the same/, 'Choose a different target node.'],
  [/Image size must be a multiple of 512/, 'Use a size that is a multiple of 512 bytes.'],
  [
    /cannot accept command verb/,
    'The job is not in a state that allows this; wait for it to change state.',
  ],
  [/Job not found|Block job '.*' not found/, 'The job has already ended; refresh the job list.'],
  [
    /Device does not have a block device backend/,
    "Use the device's backend path (query-block's qdev, e.g. …/virtio-backend).",
  ],
  [
    /Cannot find device=|Failed to find node with node-name|DeviceNotFound/,
    'The node or device is gone; the graph has been refreshed, choose again.',
  ],
  [/must provide a valid bitmap name/, 'Choose the bitmap that recorded the changes.'],
  [/Bitmap already exists/, 'Choose another bitmap name or remove the old bitmap.'],
  [/Throttle group '.*' does not exist/, 'Create the throttle group first.'],
  [
    /attempt to add duplicate property/,
    'An object with this id exists already; choose another id.',
  ],
  [/backing is missing/, 'Reopening a layer must restate its backing node.'],
  [/does not support/, 'This QEMU cannot do that for this node type.'],
  [
    /BlockscopeDenied|not allowed|denied/i,
    'Your role may not run this command; ask for an operator token.',
  ],
  [
    /BlockscopePathNotAllowed|outside the allowed/i,
    'The proxy only allows files in its configured directories (--allow-path).',
  ],
  [
    /BlockscopeOutcomeUnknown/,
    'The connection dropped after the command was sent: check the graph and the job list to see whether it ran.',
  ],
];

export function hintFor(errorClass: string, message: string): string | undefined {
  const text = `${errorClass} ${message}`;
  return HINTS.find(([pattern]) => pattern.test(text))?.[1];
}
