// Walks the QAPI source definitions in step with the form model, which only knows masked
// introspection names: each field carries a cursor naming its real QAPI type, so a member's help
// text and declared integer width can be found by following the same member names.
import type { QapiDefinition, QapiDocs } from './qapi-docs.ts';

export interface DocCursor {
  /** The real QAPI type of the field (`BlockdevOptions`, `uint32`, `[BlockDirtyBitmapOrStr]`). */
  type?: string;
  /** The help text for this field. */
  text?: string;
}

function describe(definition: QapiDefinition | undefined): string | undefined {
  const doc = definition?.doc;
  if (!doc) return undefined;
  const since = doc.since ? ` (since ${doc.since})` : '';
  return doc.description ? `${doc.description}${since}` : since.trim() || undefined;
}

export function docLookup(docs: QapiDocs) {
  const get = (name: string | undefined) =>
    name === undefined ? undefined : docs.definitions.get(name);

  /** An alternate resolves to its object branch (BlockdevRef → BlockdevOptions). */
  const objectDefinition = (name: string | undefined): QapiDefinition | undefined => {
    const definition = get(name);
    if (definition?.kind === 'alternate') {
      for (const branch of definition.branches.values()) {
        const candidate = get(branch);
        if (candidate && (candidate.kind === 'struct' || candidate.kind === 'union'))
          return candidate;
      }
      return undefined;
    }
    if (definition?.argType) return get(definition.argType);
    return definition;
  };

  /** Finds the definition that declares `member`, following bases and union variants. */
  const declaring = (
    definition: QapiDefinition | undefined,
    member: string,
    depth = 0,
  ): QapiDefinition | undefined => {
    if (!definition || depth > 8) return undefined;
    if (definition.members.has(member)) return definition;
    const fromBase = declaring(get(definition.base), member, depth + 1);
    if (fromBase) return fromBase;
    if (definition.kind !== 'union') return undefined;
    for (const variant of definition.branches.values()) {
      const found = declaring(get(variant), member, depth + 1);
      if (found) return found;
    }
    return undefined;
  };

  return {
    command(name: string): DocCursor {
      const definition = get(name);
      const text = describe(definition);
      return { type: definition?.argType ?? name, ...(text ? { text } : {}) };
    },
    member(cursor: DocCursor, member: string): DocCursor {
      const owner = objectDefinition(cursor.type);
      const found = declaring(owner, member);
      const type = found?.members.get(member);
      // Boxed commands document their members on the command itself sometimes.
      const text = found?.doc?.members[member] ?? owner?.doc?.members[member];
      return { ...(type ? { type } : {}), ...(text ? { text } : {}) };
    },
    variant(cursor: DocCursor, tagValue: string): DocCursor {
      const owner = objectDefinition(cursor.type);
      const type = owner?.kind === 'union' ? owner.branches.get(tagValue) : undefined;
      return type ? { type } : {};
    },
    element(cursor: DocCursor): DocCursor {
      const match = /^\[(.+)\]$/.exec(cursor.type ?? '');
      return match?.[1] ? { type: match[1], ...(cursor.text ? { text: cursor.text } : {}) } : {};
    },
  };
}
