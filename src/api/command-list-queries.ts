// What this session may send to a target (GET /api/targets/NAME/commands): the live schema's
// commands the proxy's policy lets its role send, and the block drivers it refuses for everyone.
// Run command offers only these, so nothing it shows is refused for its name alone. Read again
// with everything else of the target after a reconnect (the schema may have changed).
import { queryOptions } from '@tanstack/react-query';
import { targetKey } from './query-keys.ts';
import { HttpError } from './session.ts';

export interface CommandList {
  commands: string[];
  refusedDrivers: string[];
}

export function commandListOptions(target: string) {
  return queryOptions({
    queryKey: [...targetKey(target), 'permitted-commands'] as const,
    queryFn: async ({ signal }): Promise<CommandList> => {
      const url = `/api/targets/${encodeURIComponent(target)}/commands`;
      const response = await fetch(url, { credentials: 'same-origin', signal });
      if (!response.ok) throw new HttpError(response.status, `${url}: HTTP ${response.status}`);
      return (await response.json()) as CommandList;
    },
  });
}
