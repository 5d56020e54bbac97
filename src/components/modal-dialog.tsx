// The one modal frame of the page: a dimmed backdrop, a panel that takes focus when it opens,
// keeps Tab and Shift+Tab inside itself, closes on Escape (unless something must finish first),
// and gives focus back to whatever had it before, so a dialog can be used from the keyboard alone.
import { useEffect, useRef, useState, type ReactNode } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
  'textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.closest('[hidden], [inert]') && el.getClientRects().length > 0,
  );
}

export interface ModalDialogProps {
  /** `alertdialog` for a confirmation that interrupts. */
  role?: 'dialog' | 'alertdialog';
  /** The accessible name: a label, or the id of the heading that names it. */
  label?: string;
  labelledBy?: string;
  describedBy?: string;
  /** Tailwind width of the panel. */
  width?: string;
  /** Escape closes the dialog unless this is false (e.g. while a step is running). */
  closable?: boolean;
  onClose(): void;
  children: ReactNode;
}

export function ModalDialog({
  role = 'dialog',
  label,
  labelledBy,
  describedBy,
  width = 'w-[44rem]',
  closable = true,
  onClose,
  children,
}: ModalDialogProps) {
  const panel = useRef<HTMLDivElement>(null);
  // Read while rendering, before a child's autoFocus moves focus into the dialog: what had focus,
  // and the containers around it that can take focus, for when the opener cannot any more.
  const [openers] = useState(() => {
    const chain: HTMLElement[] = [];
    for (let el = document.activeElement; el instanceof HTMLElement; el = el.parentElement) {
      if (chain.length === 0 || el.hasAttribute('tabindex')) chain.push(el);
    }
    return chain;
  });
  const latest = useRef({ closable, onClose });
  useEffect(() => {
    latest.current = { closable, onClose };
  });

  // Focus in on open, back out on close.
  useEffect(() => {
    const root = panel.current;
    if (root && !root.contains(document.activeElement)) {
      // The first field or button, not the Close button in the corner, when there is one.
      const inside = focusables(root);
      const first = inside.find((el) => !el.dataset.dialogClose) ?? inside[0] ?? root;
      first.focus();
    }
    return () => {
      // The opener may be gone or disabled by now (an operation that changed the node it was
      // opened from): then the nearest container still there, not <body>, gets focus.
      for (const el of openers) {
        if (!el.isConnected) continue;
        el.focus();
        if (document.activeElement === el) return;
      }
    };
  }, [openers]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const root = panel.current;
      if (!root) return;
      if (e.key === 'Escape') {
        if (latest.current.closable) {
          e.preventDefault();
          latest.current.onClose();
        }
        return;
      }
      if (e.key !== 'Tab') return;
      const inside = focusables(root);
      const first = inside[0];
      const last = inside[inside.length - 1];
      if (!first || !last) {
        e.preventDefault();
        root.focus();
        return;
      }
      const active = document.activeElement;
      const outside = !(active instanceof Node) || !root.contains(active);
      if (e.shiftKey && (outside || active === first)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (outside || active === last)) {
        e.preventDefault();
        first.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="fixed inset-0 z-50 grid place-items-center bg-black/40 p-4">
      <div
        ref={panel}
        role={role}
        aria-modal="true"
        aria-label={label}
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        tabIndex={-1}
        className={`flex max-h-full ${width} max-w-full flex-col gap-3 overflow-auto rounded-lg bg-white p-4 text-sm shadow-xl outline-none dark:bg-slate-900 dark:text-slate-100`}
      >
        {children}
      </div>
    </div>
  );
}

/** The Close button in a dialog's corner (skipped when focus first goes into the dialog). */
export function DialogCloseButton({
  onClose,
  disabled = false,
}: {
  onClose(): void;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      data-dialog-close="true"
      onClick={onClose}
      disabled={disabled}
      className="ml-auto rounded border border-slate-300 px-2 py-0.5 text-sm hover:bg-slate-100 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800"
    >
      Close
    </button>
  );
}
