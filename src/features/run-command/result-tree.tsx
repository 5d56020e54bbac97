// A QMP reply as a readable tree: objects and arrays fold open, scalars show their JSON form.
// Everything renders as text (node and file names come from disk images).
import type { JsonValue } from '../../qmp/wire.ts';

function Scalar({ value }: { value: JsonValue }) {
  const colour =
    typeof value === 'string'
      ? 'text-emerald-800 dark:text-emerald-300'
      : 'text-blue-800 dark:text-blue-300';
  return <span className={`font-mono ${colour}`}>{JSON.stringify(value)}</span>;
}

function summary(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).length}}`;
  return '';
}

export function ResultTree({
  value,
  name,
  depth = 0,
}: {
  value: JsonValue;
  name?: string;
  depth?: number;
}) {
  const label = name !== undefined && (
    <span className="font-mono text-slate-700 dark:text-slate-300">{name}: </span>
  );
  if (value === null || typeof value !== 'object') {
    return (
      <div>
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, JsonValue][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  if (entries.length === 0) {
    return (
      <div>
        {label}
        <span className="font-mono text-slate-500 dark:text-slate-400">
          {Array.isArray(value) ? '[]' : '{}'}
        </span>
      </div>
    );
  }
  return (
    <details open={depth < 2}>
      <summary className="cursor-pointer">
        {label}
        <span className="font-mono text-xs text-slate-500 dark:text-slate-400">
          {summary(value)}
        </span>
      </summary>
      <div className="border-l border-slate-200 pl-3 dark:border-slate-700">
        {entries.map(([key, child]) => (
          <ResultTree key={key} name={key} value={child} depth={depth + 1} />
        ))}
      </div>
    </details>
  );
}
