// The pure join: x-debug-query-block-graph gives the shape, the other reads give each node its
// details. Always draw from the graph: query-block hides implicit job filters (qmp-domain.md §3.2).
import { assignIdentities } from './identity.ts';
import { annotateRelations } from './relations.ts';
import {
  cacheMode,
  driverKind,
  jobLabel,
  legacyLimits,
  shortDeviceName,
  throttleGroupOf,
} from './node-kind.ts';
import { markConflicts } from './permissions.ts';
import type { BlockGraphModel, GraphEdge, GraphInputs, GraphNode, RawBlockInfo } from './types.ts';

export function buildBlockGraphModel(inputs: GraphInputs): BlockGraphModel {
  const { graph } = inputs;
  const named = new Map((inputs.namedNodes ?? []).map((n) => [n['node-name'], n]));
  const blocks = new Map<string, RawBlockInfo>();
  for (const block of inputs.blocks ?? []) {
    if (block.qdev) blocks.set(block.qdev, block);
    if (block.device) blocks.set(block.device, block);
  }
  const jobs = new Map((inputs.jobs ?? []).map((j) => [j.id, j]));
  const exports = new Map((inputs.exports ?? []).map((e) => [e.id, e]));
  const groups = new Map((inputs.throttleGroups ?? []).map((g) => [g.id, g]));
  const identities = assignIdentities(graph, inputs.exports ?? []);

  const nodes: GraphNode[] = [];
  const idOf = new Map<number, string>();
  for (const raw of graph.nodes) {
    const identity = identities.get(raw.id);
    if (!identity || idOf.has(raw.id)) continue;
    idOf.set(raw.id, identity.id);
    const node: GraphNode = {
      id: identity.id,
      kind: 'format',
      name: raw.name,
      label: raw.name,
      backingDepth: 0,
      dirtyBitmaps: [],
      devices: [],
      jobs: [],
      exports: [],
      raw: { graph: raw },
    };
    if (raw.type === 'block-driver') {
      const info = named.get(raw.name);
      node.raw.namedNode = info;
      node.kind = driverKind(info?.drv);
      node.driver = info?.drv;
      node.fileName = info?.file;
      node.format = info?.image?.format;
      node.virtualSize = info?.image?.['virtual-size'];
      node.actualSize = info?.image?.['actual-size'];
      node.readOnly = info?.ro;
      node.cacheMode = cacheMode(info?.cache);
      node.backingFile = info?.backing_file ?? info?.image?.['backing-filename'];
      node.dirtyBitmaps = info?.['dirty-bitmaps'] ?? [];
      if (info?.drv === 'throttle') {
        const group = throttleGroupOf(info);
        const found = group ? groups.get(group) : undefined;
        node.throttle = { how: 'filter', group, limits: found?.limits ?? {} };
        node.raw.throttleGroup = found;
      } else {
        const limits = legacyLimits(info);
        if (limits) node.throttle = { how: 'legacy', group: info?.group, limits };
      }
    } else if (raw.type === 'block-job') {
      const job = jobs.get(raw.name);
      node.kind = 'job';
      node.job = job;
      node.raw.job = job;
      node.label = jobLabel(raw.name, job);
    } else if (identity.exportId !== undefined) {
      const exp = exports.get(identity.exportId);
      node.kind = 'export';
      node.name = identity.exportId;
      node.label = `${exp?.type ?? 'export'} ${identity.exportId}`;
      node.export = exp;
      node.raw.export = exp;
    } else if (raw.name) {
      const block = blocks.get(raw.name);
      node.kind = 'device';
      node.label = shortDeviceName(raw.name);
      node.raw.block = block;
      node.readOnly = block?.inserted?.ro;
      const limits = legacyLimits(block?.inserted);
      if (limits) node.throttle = { how: 'legacy', group: block?.inserted?.group, limits };
    } else {
      node.kind = 'backend';
      node.label = identity.targetOfJob ? `target of ${identity.targetOfJob}` : 'unnamed backend';
      if (identity.targetOfJob) node.jobs.push(identity.targetOfJob);
    }
    nodes.push(node);
  }

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const raw of graph.edges) {
    const source = idOf.get(raw.parent);
    const target = idOf.get(raw.child);
    if (!source || !target) continue;
    const id = `${source}->${target}:${raw.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    edges.push({
      id,
      source,
      target,
      role: raw.name,
      perm: raw.perm,
      shared: raw['shared-perm'],
      conflicts: [],
    });
  }
  markConflicts(edges);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  annotateRelations(byId, edges);
  return { nodes, edges, byId, topologyKey: topologyKeyOf(nodes, edges) };
}

export function topologyKeyOf(nodes: GraphNode[], edges: GraphEdge[]): string {
  const ids = nodes.map((n) => n.id).sort();
  const links = edges.map((e) => e.id).sort();
  return `${ids.join('\n')}\n--\n${links.join('\n')}`;
}
