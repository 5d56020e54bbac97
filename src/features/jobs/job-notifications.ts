// Telling an operator whose tab is in the background that a job needs them: a title badge
// ("(1 ready) Blockscope") from the current job list, and, when they opt in, a browser
// notification when a job becomes ready, finishes or fails.
import { useEffect, useRef, useState } from 'react';
import { useQmpEvent } from '../../api/qmp-context.tsx';
import type { QmpEvent } from '../../qmp/wire.ts';
import type { JobRow } from './job-model.ts';

/** "(1 ready, 1 failed) Blockscope"; the plain title when nothing needs attention. */
export function titleWithBadge(base: string, rows: readonly JobRow[]): string {
  const ready = rows.filter((r) => r.status === 'ready' || r.status === 'standby').length;
  const failed = rows.filter((r) => r.error !== undefined).length;
  const parts = [ready ? `${ready} ready` : '', failed ? `${failed} failed` : ''].filter(Boolean);
  return parts.length ? `(${parts.join(', ')}) ${base}` : base;
}

export interface JobNotice {
  title: string;
  body: string;
}

/** The notice an event deserves, or null. One per outcome: COMPLETED/CANCELLED, not `concluded`. */
export function noticeFor(event: QmpEvent, target: string): JobNotice | null {
  const data = event.data ?? {};
  const id = String(data.device ?? data.id ?? '');
  const type = typeof data.type === 'string' ? `${data.type} ` : '';
  switch (event.event) {
    case 'BLOCK_JOB_READY':
      return {
        title: `${type}${id} is ready`,
        body: `On ${target}: ready to complete (switch over).`,
      };
    case 'BLOCK_JOB_COMPLETED':
      return typeof data.error === 'string'
        ? { title: `${type}${id} failed`, body: `On ${target}: ${data.error}` }
        : { title: `${type}${id} finished`, body: `On ${target}: completed.` };
    case 'BLOCK_JOB_CANCELLED':
      return { title: `${type}${id} cancelled`, body: `On ${target}.` };
    default:
      return null;
  }
}

const STORAGE_KEY = 'blockscope.job-notifications';

/** The opt-in state, remembered in this browser. */
export function useNotificationOptIn(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => {
    try {
      return localStorage.getItem(STORAGE_KEY) === 'on';
    } catch {
      return false;
    }
  });
  const set = (next: boolean) => {
    setOn(next);
    try {
      localStorage.setItem(STORAGE_KEY, next ? 'on' : 'off');
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    if (next && typeof Notification !== 'undefined' && Notification.permission === 'default') {
      void Notification.requestPermission();
    }
  };
  return [on, set];
}

/** Shows notices while `enabled` and the page is hidden (a visible page shows the panel itself). */
export function useJobNotifications(target: string, enabled: boolean): void {
  useQmpEvent((event) => {
    if (!enabled || typeof Notification === 'undefined') return;
    if (Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
    const notice = noticeFor(event, target);
    if (notice)
      new Notification(notice.title, { body: notice.body, tag: `${target}:${notice.title}` });
  });
}

/** Keeps the document title's badge in step with the job list; restores the title on unmount. */
export function useTitleBadge(rows: readonly JobRow[]): void {
  const base = useRef<string | null>(null);
  useEffect(() => {
    base.current ??= document.title || 'Blockscope';
    document.title = titleWithBadge(base.current, rows);
  }, [rows]);
  useEffect(
    () => () => {
      if (base.current !== null) document.title = base.current;
    },
    [],
  );
}
