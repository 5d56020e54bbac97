// The live QAPI schema of a target, indexed once per connection, and the field docs the server
// offers for it (GET /api/qapi-docs/NAME: the installed QMP reference manual, or `--qapi-docs DIR`).
// Features detect commands and members from this one index (schema/feature-detection.ts) instead
// of assuming a QEMU version.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import type { QapiDocs } from '../schema/qapi-docs.ts';
import { docsFromWire, type FieldDocsResponse } from '../schema/qapi-docs-wire.ts';
import { buildSchemaIndex, type SchemaIndex } from '../schema/schema-index.ts';
import { useQmpClient, useTargetName } from './qmp-context.tsx';
import { targetsOptions } from './session.ts';
import { targetKey } from './query-keys.ts';

export function schemaKey(target: string) {
  return [...targetKey(target), 'qmp-schema'] as const;
}

export function schemaOptions(client: QmpClient, target: string) {
  return queryOptions({
    queryKey: schemaKey(target),
    queryFn: async (): Promise<SchemaIndex> =>
      buildSchemaIndex(await client.execute<unknown[]>('query-qmp-schema')),
    // Maps inside the index are not plain JSON; keep the object as built.
    structuralSharing: false,
  });
}

export function useSchemaIndex() {
  const client = useQmpClient();
  const target = useTargetName();
  return useQuery(schemaOptions(client, target));
}

export interface FieldDocs {
  docs: QapiDocs;
  /** Set when the docs were written for another QEMU version than the target runs. */
  mismatch?: { docsVersion: string; targetVersion: string };
}

/**
 * The target's field docs, parsed; null when the server has none (HTTP 404). Keyed by the
 * target's version (a QEMU restarted as another version gets its own docs) and kept outside
 * targetKey so the invalidation after every command does not fetch them again; 503 means the
 * target has not greeted yet, which a retry outlives.
 */
export function fieldDocsOptions(target: string, version: string | undefined) {
  return queryOptions({
    queryKey: ['field-docs', target, version ?? null],
    queryFn: async (): Promise<FieldDocs | null> => {
      const path = `/api/qapi-docs/${encodeURIComponent(target)}`;
      const response = await fetch(path, { credentials: 'same-origin' });
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      const body = (await response.json()) as FieldDocsResponse;
      const docs = docsFromWire(body.definitions);
      const docsVersion = body.source.kind === 'manual' ? body.source.version : undefined;
      const { targetVersion } = body;
      return docsVersion && targetVersion && docsVersion !== targetVersion
        ? { docs, mismatch: { docsVersion, targetVersion } }
        : { docs };
    },
    structuralSharing: false,
    staleTime: Infinity,
    retry: (count, error) => count < 5 && /HTTP 503$/.test(error.message),
  });
}

export function useFieldDocs(): FieldDocs | undefined {
  const target = useTargetName();
  const version = useQuery({
    ...targetsOptions(),
    select: (targets) => targets.find((t) => t.name === target)?.version,
  });
  const docs = useQuery({ ...fieldDocsOptions(target, version.data), enabled: version.isSuccess });
  return docs.data ?? undefined;
}
