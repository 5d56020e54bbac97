export function App() {
  return (
    <div className="flex h-full flex-col bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <header className="flex items-center gap-3 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <h1 className="text-lg font-semibold">Blockscope</h1>
        <span className="text-sm text-slate-500">QEMU block layer</span>
      </header>
      <main className="flex min-h-0 flex-1">
        <section aria-label="Block graph" className="flex-1" />
        <aside
          aria-label="Jobs"
          className="w-96 border-l border-slate-200 p-3 dark:border-slate-800"
        >
          <h2 className="font-medium">Jobs</h2>
        </aside>
      </main>
    </div>
  );
}
