// The search box above a filterable list (the event log, the audit log): one look and one way of
// being named, so every list on the page filters alike.
export interface FilterFieldProps {
  value: string;
  onChange(value: string): void;
  /** Its accessible name. */
  label: string;
  placeholder: string;
  /** The id of a datalist of suggestions. */
  list?: string;
}

export function FilterField({ value, onChange, label, placeholder, list }: FilterFieldProps) {
  return (
    <input
      type="search"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-label={label}
      placeholder={placeholder}
      list={list}
      className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
    />
  );
}
