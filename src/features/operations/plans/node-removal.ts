// Which block nodes can be closed with blockdev-del, in what order, and the plan that closes them.
// QEMU refuses blockdev-del on a node that anything still holds ("is in use", qapi/block-core.json
// blockdev-del), and every holder is a parent edge in x-debug-query-block-graph: a device's or an
// export's BlockBackend, a job, another block node. So a node can go when it has no parent left
// once the nodes closed before it are gone, and a tree is closed parents first.
import { findNode, parentsOf, type Parent } from './graph-queries.ts';
import type { BlockInfo, LiveState } from './live-state.ts';
import { planned, refuse, type PlanResult, type PlanStep, type Problem } from './types.ts';

/** QEMU's own names (`#block123`): such nodes belong to their parent and go with it. */
const isGenerated = (name: string) => name.startsWith('#');

function isPresent(live: LiveState, name: string): boolean {
  return (
    findNode(live, name) !== undefined &&
    live.graph.nodes.some((n) => n.type === 'block-driver' && n.name === name)
  );
}

/** `/machine/peripheral/vda/virtio-backend` → `vda`; a -drive id as it is. */
function deviceName(block: BlockInfo | undefined, backend: string): string {
  if (block?.device) return block.device;
  const qdev = block?.qdev ?? backend;
  return /^\/machine\/peripheral(?:-anon)?\/([^/]+)/.exec(qdev)?.[1] ?? qdev;
}

function describeParent(live: LiveState, node: string, parent: Parent): string[] {
  const { type, name } = parent.node;
  if (type === 'block-job') return [`job ${name}`];
  if (type === 'block-driver') return [`node ${name}`];
  if (name !== '') {
    const block = live.blocks.find((b) => b.qdev === name || b.device === name);
    return [`device ${deviceName(block, name)}`];
  }
  // An unnamed BlockBackend: an export's (matched by the node it serves) or a job's, whose own
  // edge to the node is listed beside it.
  const exports = live.exports.filter((e) => e['node-name'] === node).map((e) => `export ${e.id}`);
  if (exports.length > 0) return exports;
  const held = parentsOf(live, node).some((p) => p.node.type === 'block-job');
  return held ? [] : ['an unnamed BlockBackend'];
}

/**
 * Who holds `node`, in words ("device vda", "job m1", "export exp0", "node top"), leaving out
 * the block nodes in `gone` (those closed before it). Empty when nothing does.
 */
export function nodeUsers(live: LiveState, node: string, gone: ReadonlySet<string> = new Set()) {
  const users: string[] = [];
  for (const parent of parentsOf(live, node)) {
    if (parent.node.type === 'block-driver' && gone.has(parent.node.name)) continue;
    for (const user of describeParent(live, node, parent)) {
      if (!users.includes(user)) users.push(user);
    }
  }
  return users;
}

/**
 * Of the candidates, those blockdev-del can close, in a safe order (parents before children): a
 * node qualifies when it has no parent edge left other than from nodes earlier in the result.
 * QEMU-named candidates are never listed, but count as gone once all their parents are, so a
 * named node below one of them can follow. Names not in `live` are skipped.
 */
export function unusedNodes(live: LiveState, candidates: string[]): string[] {
  const pending = [...new Set(candidates)].filter((name) => isPresent(live, name));
  const gone = new Set<string>();
  const result: string[] = [];
  for (let progress = true; progress;) {
    progress = false;
    for (const name of pending) {
      if (gone.has(name) || nodeUsers(live, name, gone).length > 0) continue;
      gone.add(name);
      if (!isGenerated(name)) result.push(name);
      progress = true;
      break; // start over, so the earliest candidate that qualifies comes next
    }
  }
  return result;
}

/** The node and all block nodes below it (file, backing, … children), nearest first. */
function subtree(live: LiveState, node: string): string[] {
  const byId = new Map(live.graph.nodes.map((n) => [n.id, n]));
  const start = live.graph.nodes.find((n) => n.type === 'block-driver' && n.name === node);
  if (!start) return [];
  const seen = new Set([start.id]);
  const queue = [start.id];
  for (let i = 0; i < queue.length; i++) {
    for (const edge of live.graph.edges) {
      if (edge.parent !== queue[i] || seen.has(edge.child)) continue;
      const child = byId.get(edge.child);
      if (child?.type !== 'block-driver') continue;
      seen.add(child.id);
      queue.push(child.id);
    }
  }
  return queue.map((id) => byId.get(id)?.name ?? '').filter((name) => name !== '');
}

/**
 * "Remove node": `node` and every node below it that nothing else would use once it is gone, in
 * unusedNodes order (so `node` first). Empty when `node` itself cannot be closed.
 */
export function closableTree(live: LiveState, node: string): string[] {
  if (isGenerated(node)) return [];
  const order = unusedNodes(live, subtree(live, node));
  return order[0] === node ? order : [];
}

/**
 * Why "Remove node" does not apply to `node`, in a few words ("Used by device vda"), or null when
 * closableTree allows it.
 */
export function removalBlocker(live: LiveState, node: string): string | null {
  if (isGenerated(node)) return 'Named by QEMU: it goes when its parent is closed';
  if (!isPresent(live, node)) return 'Not open in QEMU';
  const users = nodeUsers(live, node);
  return users.length > 0 ? `Used by ${users.join(', ')}` : null;
}

const quoted = (names: string[]) => names.map((n) => `'${n}'`);

/** "'a'", "'a' and 'b'", "'a', 'b' and 'c'". */
export function listNames(names: string[]): string {
  const q = quoted(names);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} and ${q.at(-1)}`;
}

function nodeProblem(live: LiveState, name: string, gone: ReadonlySet<string>): Problem {
  const field = 'node';
  if (isGenerated(name)) {
    return {
      field,
      message: `'${name}' was named by QEMU, not added by anyone: it goes when its parent is closed.`,
    };
  }
  if (!isPresent(live, name)) return { field, message: `There is no node named '${name}'.` };
  return { field, message: `'${name}' is in use by ${nodeUsers(live, name, gone).join(', ')}.` };
}

function explanation(live: LiveState, name: string, closedBefore: string[]): string {
  const info = findNode(live, name);
  const what = info ? ` (${info.drv}${info.file ? `, ${info.file}` : ''})` : '';
  const parents = parentsOf(live, name)
    .map((p) => p.node.name)
    .filter((p) => closedBefore.includes(p));
  const why =
    parents.length > 0
      ? `only ${listNames(parents)} used it, and that is closed by then`
      : 'no device, job, export or other node uses it';
  return `Closes node '${name}'${what}: ${why}. QEMU releases the file's lock; the file itself stays on disk.`;
}

/**
 * One blockdev-del per node, parents first; refused, naming what holds it, when any listed node
 * is in use by something that is not itself listed.
 */
export function planRemoveNodes(live: LiveState, nodes: string[]): PlanResult {
  const wanted = [...new Set(nodes)];
  if (wanted.length === 0) return refuse({ field: 'node', message: 'Choose a node to remove.' });
  const order = unusedNodes(live, wanted);
  const gone = new Set(order);
  const problems = wanted.filter((n) => !gone.has(n)).map((n) => nodeProblem(live, n, gone));
  if (problems.length > 0) return refuse(...problems);
  const steps: PlanStep[] = order.map((name, i) => ({
    title: `Close node '${name}'`,
    explanation: explanation(live, name, order.slice(0, i)),
    command: 'blockdev-del',
    arguments: { 'node-name': name },
  }));
  return planned({
    summary: `Close node ${listNames(order)}. The image files stay on disk.`,
    steps,
    jobIds: [],
  });
}
