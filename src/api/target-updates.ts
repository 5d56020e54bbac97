// The proxy's list of targets changes while pages are open (libvirt guests start and stop, a
// libvirt host goes away and comes back): it tells every session, and the lists are read again.
import { useQueryClient } from '@tanstack/react-query';
import { ProxyEvent } from '../qmp/wire.ts';
import { useQmpEvent } from './qmp-context.tsx';

export function useTargetListUpdates(): void {
  const queryClient = useQueryClient();
  useQmpEvent((event) => {
    if (event.event !== ProxyEvent.Targets) return;
    void queryClient.invalidateQueries({ queryKey: ['targets'] });
    if (event.data?.sources) void queryClient.invalidateQueries({ queryKey: ['target-sources'] });
  });
}
