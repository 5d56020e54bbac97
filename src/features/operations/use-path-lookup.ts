// What is at a path the operator types for a file a plan will create: looked up at the proxy
// once typing pauses. Undefined while the answer is not in for this very path, so a plan built
// from it is refused until then (plans/new-file.ts).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fileLookupOptions } from '../../api/file-lookup-queries.ts';
import { useTargetName } from '../../api/qmp-context.tsx';
import type { PathLookup } from '../../qmp/file-lookup.ts';

const SETTLE_MS = 300;

/** `value`, once it has stayed the same for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** `path` null: nothing to look up (the target is a node, or no file is created). */
export function usePathLookup(path: string | null): PathLookup | undefined {
  const target = useTargetName();
  const settled = useSettled(path, SETTLE_MS);
  const asked = settled !== null && settled === path && settled.startsWith('/') ? settled : null;
  const query = useQuery({ ...fileLookupOptions(target, asked ?? ''), enabled: asked !== null });
  if (asked === null) return undefined;
  if (query.data) return query.data;
  if (query.error) return { path: asked, error: query.error.message };
  return undefined;
}
