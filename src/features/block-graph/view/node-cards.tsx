// The custom node cards, one memoised component per kind sharing one layout: kind icon and name,
// the title (node-name, device or job id), a subtitle, and badges. Every string is React text.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { IoFigures } from '../io-stats/io-figures.tsx';
import type { GraphNode, NodeKind } from '../model/types.ts';
import { nodeSize } from '../layout/node-size.ts';
import type { BlockFlowNode } from './flow-types.ts';
import { KIND_STYLE } from './kind-style.ts';
import { jobPercent, subtitleOf } from './node-text.ts';
import { useBoxesOnly, useZoomedOut } from './use-zoomed-out.ts';
import { throttleSummary } from './throttle-summary.ts';

function Badge({ children, title }: { children: string; title: string }) {
  return (
    <span
      title={title}
      className="max-w-full min-w-0 truncate rounded bg-white/80 px-1 text-[10px] leading-4 font-medium text-slate-700 ring-1 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600"
    >
      {children}
    </span>
  );
}

function badgesOf(node: GraphNode) {
  const badges: { text: string; title: string }[] = [];
  if (node.kind !== 'job' && node.jobs.length > 0) {
    badges.push({ text: `job ${node.jobs.join(', ')}`, title: 'Involved in a block job' });
  }
  if (node.kind !== 'export' && node.exports.length > 0) {
    badges.push({ text: `export ${node.exports.join(', ')}`, title: 'Served by an export' });
  }
  if (node.throttle) {
    // A device's own limits (block_set_io_throttle) live in a group QEMU names itself: not a
    // name the operator chose, so only the limits are shown (the details panel has the rest).
    const { how } = node.throttle;
    const group = node.throttle.group && how !== 'legacy' ? ` ${node.throttle.group}` : '';
    const limits = throttleSummary(node.throttle.limits);
    const text = `throttled${group}${limits ? ` · ${limits}` : ''}`;
    badges.push({
      text,
      title: `${text} (${how === 'legacy' ? "the device's own limits" : `throttle ${how}`})`,
    });
  }
  if (node.readOnly) badges.push({ text: 'ro', title: 'Read-only' });
  if (node.dirtyBitmaps.length > 0) {
    badges.push({ text: `${node.dirtyBitmaps.length} bitmap`, title: 'Dirty bitmaps' });
  }
  return badges;
}

function Card(props: NodeProps<BlockFlowNode> & { kind: NodeKind }) {
  return useBoxesOnly() ? <BoxCard {...props} /> : <FullCard {...props} />;
}

function identityOf(node: GraphNode) {
  return node.kind === 'job'
    ? { 'data-testid': 'job-node', 'data-job-id': node.name }
    : { 'data-testid': 'block-node', 'data-node-name': node.name };
}

/**
 * Far out: the card's colour and outline only, and its name on hover. Square corners and
 * invisible handles (still laid out, so edges keep their ends) halve what each frame paints: on
 * 1,020 nodes that is the difference between 30 and 60 frames a second while panning.
 */
function BoxCard({ data, selected, kind }: NodeProps<BlockFlowNode> & { kind: NodeKind }) {
  const { node, dimmed } = data;
  return (
    <div
      {...identityOf(node)}
      style={nodeSize(kind)}
      title={node.name || node.label}
      className={`border-2 ${KIND_STYLE[kind].card} ${selected ? 'ring-4 ring-sky-400' : ''} ${
        dimmed ? 'opacity-25' : ''
      }`}
    >
      <Handle type="target" position={Position.Top} className="invisible" />
      <Handle type="source" position={Position.Bottom} className="invisible" />
    </div>
  );
}

function FullCard({ data, selected, kind }: NodeProps<BlockFlowNode> & { kind: NodeKind }) {
  const { node, dimmed } = data;
  const zoomedOut = useZoomedOut();
  const style = KIND_STYLE[kind];
  const isJob = kind === 'job';
  const pct = isJob ? jobPercent(node) : undefined;
  const identity = identityOf(node);
  return (
    <div
      {...identity}
      style={nodeSize(kind)}
      title={node.name || node.label}
      className={`flex flex-col overflow-hidden rounded-lg border-2 px-2 py-1 text-left shadow-sm transition-opacity ${style.card} ${
        selected ? 'ring-4 ring-sky-400' : ''
      } ${dimmed ? 'opacity-25' : ''}`}
    >
      <Handle type="target" position={Position.Top} className="!bg-slate-400" />
      <div className={`flex items-center gap-1 text-[10px] tracking-wide uppercase ${style.text}`}>
        <span aria-hidden>{style.icon}</span>
        <span>
          {kind === 'format' || kind === 'protocol' || kind === 'filter'
            ? (node.driver ?? style.label)
            : style.label}
        </span>
        <IoFigures node={node} />
      </div>
      <div className="truncate text-sm font-semibold text-slate-900 dark:text-slate-100">
        {node.label}
      </div>
      <div className="truncate text-[11px] text-slate-600 dark:text-slate-300">
        {subtitleOf(node)}
      </div>
      {pct !== undefined && (
        <div className="mt-0.5 h-1 w-full rounded bg-pink-200 dark:bg-pink-900" aria-hidden>
          <div className="h-1 rounded bg-pink-600" style={{ width: `${pct}%` }} />
        </div>
      )}
      {!zoomedOut && (
        <div className="mt-auto flex gap-1 overflow-hidden">
          {data.note && <Badge title={data.note.title}>{data.note.badge}</Badge>}
          {badgesOf(node).map((b) => (
            <Badge key={b.text} title={b.title}>
              {b.text}
            </Badge>
          ))}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} className="!bg-slate-400" />
    </div>
  );
}

const cardOf = (kind: NodeKind) => {
  const Component = memo((props: NodeProps<BlockFlowNode>) => <Card {...props} kind={kind} />);
  Component.displayName = `${kind}NodeCard`;
  return Component;
};

/** At module scope so React Flow never sees a new `nodeTypes` object. */
export const nodeTypes = {
  device: cardOf('device'),
  format: cardOf('format'),
  protocol: cardOf('protocol'),
  filter: cardOf('filter'),
  job: cardOf('job'),
  export: cardOf('export'),
  backend: cardOf('backend'),
};
