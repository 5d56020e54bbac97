// Query options for plain QMP reads. Feature folders build their own factories on top of this.
import { queryOptions } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import type { JsonObject } from '../qmp/wire.ts';
import { targetKey } from './query-keys.ts';

export function qmpKey(target: string, command: string, args?: JsonObject) {
  return [...targetKey(target), 'qmp', command, args ?? {}] as const;
}

export function qmpQueryOptions<T>(
  client: QmpClient,
  target: string,
  command: string,
  args?: JsonObject,
) {
  return queryOptions({
    queryKey: qmpKey(target, command, args),
    queryFn: () => client.execute<T>(command, args),
  });
}
