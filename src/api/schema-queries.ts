// The live QAPI schema of a target, indexed once per connection, and the optional QAPI docs the
// server may offer (`--qapi-docs DIR` → GET /api/qapi-docs). Features detect commands and members
// through `useSchemaIndex()` instead of assuming a QEMU version (STYLE.md principle 5).
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { hasArgument, hasCommand } from '../schema/feature-detection.ts';
import { parseQapiDocs, type QapiDocs } from '../schema/qapi-docs.ts';
import { buildSchemaIndex, type SchemaIndex } from '../schema/schema-index.ts';
import { useQmpClient, useTargetName } from './qmp-context.tsx';
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

/** The QAPI source files the server was given, parsed; null when it has none (HTTP 404). */
export function qapiDocsOptions() {
  return queryOptions({
    queryKey: ['qapi-docs'],
    queryFn: async (): Promise<QapiDocs | null> => {
      const response = await fetch('/api/qapi-docs', { credentials: 'same-origin' });
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`/api/qapi-docs: HTTP ${response.status}`);
      const body = (await response.json()) as { files: { name: string; text: string }[] };
      return parseQapiDocs(body.files);
    },
    structuralSharing: false,
    retry: false,
  });
}

export function useQapiDocs(): QapiDocs | undefined {
  return useQuery(qapiDocsOptions()).data ?? undefined;
}

/** Feature detection for views: undefined while the schema loads, then whether QEMU has it. */
export function useHasCommand(command: string): boolean | undefined {
  const { data } = useSchemaIndex();
  return data ? hasCommand(data, command) : undefined;
}

/** Whether `command` accepts the member at `path` (e.g. ['copy-mode']); undefined while loading. */
export function useHasArgument(command: string, path: string[]): boolean | undefined {
  const { data } = useSchemaIndex();
  return data ? hasArgument(data, command, path) : undefined;
}
