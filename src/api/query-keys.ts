// Every cached read of a target lives under ['target', NAME, …], so one invalidation after a
// reconnect re-reads everything that target shows.
export function targetKey(target: string) {
  return ['target', target] as const;
}
