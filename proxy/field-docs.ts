// Field documentation for the page's forms, per target (GET /api/qapi-docs/NAME). The source is
// `--qapi-docs DIR` when given (QEMU's qapi/*.json, for every target), otherwise the QMP reference
// manual for the target's program: a `--qmp-manual FILE` of that program, else the one installed
// with QEMU. Either way the page gets one model (src/schema/qapi-docs-wire.ts) and the versions
// to compare. A manual is read on first use and kept as serialised JSON: an idle server pays
// nothing, and a thousand pages asking cost one parse.
import { existsSync } from 'node:fs';
import type { QapiDefinition } from '../src/schema/qapi-docs.ts';
import { parseQapiDocs } from '../src/schema/qapi-docs.ts';
import { definitionToWire, type DocsSource } from '../src/schema/qapi-docs-wire.ts';
import type { QapiDocFile } from './qapi-docs-files.ts';
import { readQmpManual, type ManualProgram, type QmpManual } from './qmp-manual/manual-file.ts';
import { manualCandidates } from './qmp-manual/manual-locations.ts';
import type { TargetKind } from './target-identity.ts';

export interface FieldDocsConfig {
  /** `--qapi-docs DIR`, already read. */
  qapiDocs?: { dir: string; files: QapiDocFile[] };
  /** `--qmp-manual FILE`s, already read and checked. */
  manuals?: QmpManual[];
  env?: NodeJS.ProcessEnv;
  /** Where to look for an installed manual; proxy/qmp-manual/manual-locations.ts by default. */
  candidates?: (program: ManualProgram) => string[];
}

export interface FieldDocsReply {
  status: number;
  body: string;
}

interface Prepared {
  source: DocsSource;
  definitions: string;
}

function serialise(definitions: Iterable<QapiDefinition>): string {
  return JSON.stringify([...definitions].map(definitionToWire));
}

function fromManual(manual: QmpManual): Prepared {
  return {
    source: {
      kind: 'manual',
      path: manual.path,
      version: manual.version,
      program: manual.program,
    },
    definitions: serialise(manual.definitions),
  };
}

export function createFieldDocs(config: FieldDocsConfig) {
  const prepared = new Map<string, Promise<Prepared | { error: string }>>();

  // The same qapi/*.json files serve every target; they are parsed once, at start-up.
  const qapi: Prepared | undefined = config.qapiDocs && {
    source: { kind: 'qapi-files', dir: config.qapiDocs.dir },
    definitions: serialise(parseQapiDocs(config.qapiDocs.files).definitions.values()),
  };

  const load = (program: ManualProgram): Promise<Prepared | { error: string }> => {
    const cached = prepared.get(program);
    if (cached) return cached;
    const given = config.manuals?.find((m) => m.program === program);
    const promise = given
      ? Promise.resolve(fromManual(given))
      : (async () => {
          const candidates = (config.candidates ?? ((p) => manualCandidates(p, config.env)))(
            program,
          );
          const path = candidates.find((p) => existsSync(p));
          if (!path)
            return {
              error: `no QMP reference manual for ${program} (looked for ${candidates.join(', ')})`,
            };
          try {
            return fromManual(await readQmpManual(path));
          } catch (error) {
            return { error: (error as Error).message };
          }
        })();
    prepared.set(program, promise);
    return promise;
  };

  /** The docs for a target of `kind` that greeted with `version`. */
  return async (
    kind: TargetKind | undefined,
    version: string | undefined,
  ): Promise<FieldDocsReply> => {
    if (kind === undefined)
      return { status: 503, body: JSON.stringify({ error: 'target not connected yet' }) };
    const result =
      qapi ?? (await load(kind === 'qemu-storage-daemon' ? 'qemu-storage-daemon' : 'qemu-system'));
    if ('error' in result) return { status: 404, body: JSON.stringify({ error: result.error }) };
    const head = JSON.stringify({
      source: result.source,
      ...(version ? { targetVersion: version } : {}),
    });
    return { status: 200, body: `${head.slice(0, -1)},"definitions":${result.definitions}}` };
  };
}

export type FieldDocsProvider = ReturnType<typeof createFieldDocs>;
