// An edge labelled with its child role and, compactly, the permissions the parent takes and
// shares (w r u s as in render_block_graph.py). Conflicts are drawn red with an explanation.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { permLetters } from '../model/permissions.ts';
import type { PermFlowEdge } from './flow-types.ts';
import { useZoomedOut } from './use-zoomed-out.ts';

function PermEdgeImpl(props: EdgeProps<PermFlowEdge>) {
  const [path, labelX, labelY] = getBezierPath(props);
  const zoomedOut = useZoomedOut();
  const edge = props.data?.edge;
  if (!edge) return <BaseEdge path={path} />;
  const conflict = edge.conflicts.length > 0;
  const fromJob = edge.source.startsWith('job:');
  const title = conflict
    ? `Takes ${edge.conflicts.join(', ')}, which another parent does not share`
    : `${edge.role}: takes [${edge.perm.join(', ')}], shares [${edge.shared.join(', ')}]`;
  return (
    <>
      <BaseEdge
        path={path}
        style={{
          stroke: conflict ? '#dc2626' : fromJob ? '#db2777' : '#94a3b8',
          strokeWidth: conflict || props.selected ? 2.5 : 1.5,
          strokeDasharray: fromJob ? '5 4' : undefined,
          opacity: props.data?.dimmed ? 0.2 : 1,
        }}
      />
      {!zoomedOut && (
        <EdgeLabelRenderer>
          <div
            title={title}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            className={`nodrag nopan pointer-events-auto absolute rounded px-1 font-mono text-[9px] leading-3 ${
              conflict
                ? 'bg-red-100 text-red-800 ring-1 ring-red-500 dark:bg-red-950 dark:text-red-200'
                : 'bg-white/90 text-slate-600 dark:bg-slate-900/90 dark:text-slate-300'
            } ${props.data?.dimmed ? 'opacity-20' : ''}`}
          >
            <span className="font-sans font-semibold">{edge.role}</span> {permLetters(edge.perm)}/
            {permLetters(edge.shared)}
            {conflict && ' ⚠'}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const edgeTypes = { perm: memo(PermEdgeImpl) };
