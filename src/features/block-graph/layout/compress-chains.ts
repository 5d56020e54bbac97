// Backing chains as single tall blocks: in large graphs every run of format/filter nodes linked
// one-to-one (each the only parent of the next, which has no other parent) goes to ELK as one
// node the height of the whole run, then is unfolded into a straight column. ELK then sees a
// handful of nodes per disk instead of dozens, and chains read as chains.
import type { NodeKind } from '../model/types.ts';

export const CHAIN_GAP = 40;

export interface ChainInput {
  ids: string[];
  kindOf: (id: string) => NodeKind;
  edges: readonly { source: string; target: string }[];
}

/** Runs of two or more nodes, top first, keyed by a synthetic id. */
export function chainGroups({ ids, kindOf, edges }: ChainInput): Map<string, string[]> {
  const present = new Set(ids);
  const outs = new Map<string, string[]>();
  const ins = new Map<string, number>();
  for (const e of edges) {
    if (!present.has(e.source) || !present.has(e.target)) continue;
    outs.set(e.source, [...(outs.get(e.source) ?? []), e.target]);
    ins.set(e.target, (ins.get(e.target) ?? 0) + 1);
  }
  const chainable = (id: string) => kindOf(id) === 'format' || kindOf(id) === 'filter';
  const next = (id: string): string | undefined => {
    const out = outs.get(id);
    const only = out?.length === 1 ? out[0] : undefined;
    return only && chainable(id) && chainable(only) && ins.get(only) === 1 ? only : undefined;
  };
  const continued = new Set<string>();
  for (const id of ids) {
    const n = next(id);
    if (n) continued.add(n);
  }
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    if (continued.has(id) || !next(id)) continue;
    const run = [id];
    const seen = new Set(run);
    for (let n = next(id); n && !seen.has(n); n = next(n)) {
      run.push(n);
      seen.add(n);
    }
    if (run.length >= 2) groups.set(`chain:${id}`, run);
  }
  return groups;
}
