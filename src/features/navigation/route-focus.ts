// What an address names inside a target's view: a node is selected in the graph once the graph
// has it; a job's card is scrolled into view once the Jobs panel shows it (for up to 10 s).
import { useEffect } from 'react';
import { useRequestFocusNode } from '../block-graph/focus-node.ts';
import type { Route } from './route.ts';

export function useRouteFocus(route: Route | null): void {
  const node = route?.view === 'target' ? route.node : undefined;
  const job = route?.view === 'target' ? route.job : undefined;
  const requestFocusNode = useRequestFocusNode();
  useEffect(() => {
    if (node !== undefined) requestFocusNode(node, { untilShown: true });
  }, [node, requestFocusNode]);
  useEffect(() => {
    if (job === undefined) return;
    const deadline = Date.now() + 10_000;
    let frame = 0;
    const look = () => {
      const card = [...document.querySelectorAll('article[aria-label]')].find(
        (a) => a.getAttribute('aria-label') === `Job ${job}`,
      );
      if (card) {
        card.scrollIntoView({ block: 'nearest' });
        card.classList.add('ring-2', 'ring-sky-500');
        return;
      }
      if (Date.now() < deadline) frame = requestAnimationFrame(look);
    };
    look();
    return () => cancelAnimationFrame(frame);
  }, [job]);
}
