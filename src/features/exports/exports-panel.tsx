// Placeholder: this feature is being built; the slot in the app shell is fixed.
export function ExportsPanel() {
  return <p className="p-3 text-sm text-slate-500">Not built yet.</p>;
}
